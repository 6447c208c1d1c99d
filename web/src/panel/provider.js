// Our properties provider: keeps only name and id of the stock panel (its other groups are
// for engines we do not run) and adds the dialect's groups, in Vietnamese.
import { laneGroup } from './lane.js';
import { outcomesGroup } from './outcomes.js';
import { startGroup, taskGroup } from './task.js';
import { flowGroup, isGatewayFlow } from './flow.js';
import { gatewayGroup } from './gateway.js';
import { processGroup } from './process.js';
import { endGroup } from './end.js';
import { timerDefinition, timerGroup } from './timer.js';

const STEPS = ['bpmn:UserTask', 'bpmn:ManualTask'];
const WHOLE = ['bpmn:Participant', 'bpmn:Process', 'bpmn:Collaboration'];
const KEEP = new Set(['name', 'id']);
// After the stock provider (priority 1000): we edit the groups it produced.
const PRIORITY = 500;

export default class MotcuaPropertiesProvider {
  constructor(propertiesPanel, injector, motcuaConfig, translate) {
    this._injector = injector;
    this._translate = translate;
    this._config = motcuaConfig;
    propertiesPanel.registerProvider(PRIORITY, this);
  }

  getGroups(element) {
    return (groups) => {
      const general = groups.find((g) => g.id === 'general');
      const kept = [];
      if (general) {
        general.label = 'Thông tin chung';
        general.entries = general.entries.filter((e) => KEEP.has(e.id));
        kept.push(general);
      }
      // The panel's components take their built-in texts (tooltips, list badges) from a
      // `translate` on each group; without it they stay in English.
      return [...kept, ...this._ours(element)].map((group) => ({ translate: this._translate, ...group }));
    };
  }

  _ours(element) {
    const bo = element.businessObject;
    const config = this._config;
    if (!bo) return [];
    if (bo.$instanceOf('bpmn:Lane')) return [laneGroup(element, config)];
    if (WHOLE.some((t) => bo.$instanceOf(t))) return [processGroup(element, config)];
    if (STEPS.some((t) => bo.$instanceOf(t))) {
      return [taskGroup(element, config), outcomesGroup(element, this._injector, config)];
    }
    if (bo.$instanceOf('bpmn:StartEvent') && !timerDefinition(bo)) return [startGroup(element, config)];
    if (bo.$instanceOf('bpmn:Event') && timerDefinition(bo)) return [timerGroup(element)];
    if (bo.$instanceOf('bpmn:EndEvent')) return [endGroup(element)];
    if (bo.$instanceOf('bpmn:Gateway')) return [gatewayGroup(element)];
    if (isGatewayFlow(bo)) return [flowGroup(element)];
    return [];
  }
}

MotcuaPropertiesProvider.$inject = ['propertiesPanel', 'injector', 'motcuaConfig', 'translate'];
