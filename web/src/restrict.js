// The palette, the context pad, the replace menu and the creation rules offer only what the
// platform executes (processes/checks/structure.py): officer steps (user, manual tasks),
// start and end events, exclusive and parallel gateways, timers, flows, pools and lanes.
// A diagram imported with other elements still opens: the server's checks name them.
import RuleProvider from 'diagram-js/lib/features/rules/RuleProvider';

const LOW = 500;

const PALETTE = new Set([
  'hand-tool', 'lasso-tool', 'space-tool', 'global-connect-tool', 'tool-separator',
  'create.start-event', 'create.end-event', 'create.exclusive-gateway', 'create.participant-expanded'
]);

const CONTEXT_PAD = new Set([
  'append.end-event', 'append.gateway', 'append.append-task', 'replace', 'delete', 'connect',
  'lane-insert-above', 'lane-divide-two', 'lane-divide-three', 'lane-insert-below',
  'append.text-annotation'
]);

const REPLACE = new Set([
  'replace-with-none-start', 'replace-with-none-end', 'replace-with-terminate-end',
  'replace-with-user-task', 'replace-with-manual-task',
  'replace-with-exclusive-gateway', 'replace-with-parallel-gateway',
  'replace-with-timer-boundary', 'replace-with-non-interrupting-timer-boundary',
  'replace-with-timer-intermediate-catch',
  'replace-with-sequence-flow', 'replace-with-default-flow', 'replace-with-conditional-flow',
  'replace-with-expanded-pool'
]);
const REPLACE_HEADER = new Set(['toggle-non-interrupting']);

// What the engine cannot run (structure.py's _UNSUPPORTED_NODES): never created here.
const REFUSED = [
  'bpmn:ServiceTask', 'bpmn:SendTask', 'bpmn:ReceiveTask', 'bpmn:BusinessRuleTask',
  'bpmn:ComplexGateway', 'bpmn:Transaction', 'bpmn:AdHocSubProcess', 'bpmn:DataStoreReference'
];

function keep(entries, allowed) {
  return Object.fromEntries(Object.entries(entries).filter(([id]) => allowed.has(id)));
}

class RestrictedPalette {
  constructor(palette, create, elementFactory, translate) {
    this._create = create;
    this._factory = elementFactory;
    this._translate = translate;
    palette.registerProvider(LOW, this);
  }

  getPaletteEntries() {
    const create = (type, className, title, options) => {
      const start = (event) => this._create.start(event, this._factory.createShape({ type, ...options }));
      return { group: 'activity', className, title, action: { dragstart: start, click: start } };
    };
    const t = this._translate;
    return (entries) => ({
      ...keep(entries, PALETTE),
      'create.user-task': create('bpmn:UserTask', 'bpmn-icon-user-task', t('Create user task')),
      'create.parallel-gateway': {
        ...create('bpmn:ParallelGateway', 'bpmn-icon-gateway-parallel', t('Create parallel gateway')),
        group: 'gateway'
      },
      'create.timer-event': {
        ...create('bpmn:IntermediateCatchEvent', 'bpmn-icon-intermediate-event-catch-timer',
          t('Create timer event'), { eventDefinitionType: 'bpmn:TimerEventDefinition' }),
        group: 'event'
      }
    });
  }
}
RestrictedPalette.$inject = ['palette', 'create', 'elementFactory', 'translate'];

class RestrictedContextPad {
  constructor(contextPad, autoPlace, create, elementFactory, translate) {
    this._autoPlace = autoPlace;
    this._create = create;
    this._factory = elementFactory;
    this._translate = translate;
    contextPad.registerProvider(LOW, this);
  }

  getContextPadEntries(element) {
    return (entries) => {
      const kept = keep(entries, CONTEXT_PAD);
      if (kept['append.append-task']) {
        // The stock entry appends an untyped task, which the engine skips: a user task instead.
        const append = (event, source) => {
          const shape = this._factory.createShape({ type: 'bpmn:UserTask' });
          if (this._autoPlace) this._autoPlace.append(source, shape);
          else this._create.start(event, shape, { source });
        };
        kept['append.append-task'] = {
          ...kept['append.append-task'],
          className: 'bpmn-icon-user-task',
          title: this._translate('Append user task'),
          action: { click: append, dragstart: (event) => this._create.start(event,
            this._factory.createShape({ type: 'bpmn:UserTask' }), { source: element }) }
        };
      }
      return kept;
    };
  }
}
RestrictedContextPad.$inject = ['contextPad', 'autoPlace', 'create', 'elementFactory', 'translate'];

class RestrictedReplace {
  constructor(popupMenu) {
    popupMenu.registerProvider('bpmn-replace', LOW, this);
  }

  getPopupMenuEntries() {
    return (entries) => keep(entries, REPLACE);
  }

  getPopupMenuHeaderEntries() {
    return (entries) => keep(entries, REPLACE_HEADER);
  }
}
RestrictedReplace.$inject = ['popupMenu'];

class RestrictedRules extends RuleProvider {
  init() {
    const refused = (shapes) => shapes.some((s) => s.businessObject && REFUSED.some((t) => s.businessObject.$instanceOf(t)));
    this.addRule('shape.create', 2000, (context) => (refused([context.shape]) ? false : undefined));
    this.addRule('elements.create', 2000, (context) => (refused(context.elements || []) ? false : undefined));
  }
}
RestrictedRules.$inject = ['eventBus'];

/** Another tool's content (its extension elements, its namespaced attributes) goes along
 * when an element is replaced ("Đổi loại phần tử", as the server's messages advise for
 * untyped tasks) or copied: bpmn-js copies only what its descriptors know. */
class KeepForeignContent {
  constructor(eventBus, moddle) {
    eventBus.on('moddleCopy.canCopyProperty', 1500, ({ property, parent }) => {
      if (isGeneric(property)) return cloneGeneric(moddle, property, parent);
      return undefined;
    });
    eventBus.on('moddleCopy.canCopyProperties', 1500, ({ sourceElement, targetElement }) => {
      const attrs = (sourceElement && sourceElement.$attrs) || {};
      for (const [name, value] of Object.entries(attrs)) {
        // Namespace declarations stay on the definitions, where the file wrote them.
        if (name.includes(':') && !name.startsWith('xmlns:')) targetElement.$attrs[name] = value;
      }
    });
  }
}
KeepForeignContent.$inject = ['eventBus', 'moddle'];

function isGeneric(value) {
  return Boolean(value && typeof value === 'object' && value.$descriptor && value.$descriptor.isGeneric);
}

function cloneGeneric(moddle, element, parent) {
  const properties = Object.fromEntries(Object.entries(element)
    .filter(([key]) => key !== '$type' && key !== '$children'));
  const copy = moddle.createAny(element.$type, element.$descriptor.ns.uri, properties);
  copy.$parent = parent;
  if (element.$children) {
    copy.$children = element.$children.map((child) => (isGeneric(child) ? cloneGeneric(moddle, child, copy) : child));
  }
  return copy;
}

export default {
  __init__: ['restrictedPalette', 'restrictedContextPad', 'restrictedReplace', 'restrictedRules',
    'keepForeignContent'],
  keepForeignContent: ['type', KeepForeignContent],
  restrictedPalette: ['type', RestrictedPalette],
  restrictedContextPad: ['type', RestrictedContextPad],
  restrictedReplace: ['type', RestrictedReplace],
  restrictedRules: ['type', RestrictedRules]
};
