// A timer fires at a working-time deadline the platform computes: its timeDate names
// `due_step` (the step's allotted time) or `due_dossier` (the appointment).
import { Group, SelectEntry, isSelectEntryEdited } from '@bpmn-io/properties-panel';
import { useService } from 'bpmn-js-properties-panel';
import { html, withCurrent } from './common.js';

const DEADLINES = [
  { value: 'due_step', label: 'Khi bước hết thời gian giải quyết (due_step)' },
  { value: 'due_dossier', label: 'Khi hồ sơ đến hạn trả kết quả (due_dossier)' }
];

export function timerDefinition(bo) {
  return (bo.get('eventDefinitions') || []).find((d) => d.$instanceOf('bpmn:TimerEventDefinition'));
}

/** What happens when the timer fires, for the kind of timer this is. */
function what(bo) {
  const when = 'Thời hạn tính theo giờ làm việc của lịch làm việc. ';
  if (!bo.$instanceOf('bpmn:BoundaryEvent')) return `${when}Hồ sơ chờ ở đây đến hạn rồi đi tiếp theo luồng ra.`;
  return when + (bo.cancelActivity === false
    ? 'Khi đến hạn, bước vẫn tiếp tục và hồ sơ đồng thời đi theo luồng ra của hẹn giờ (ví dụ một bước nhắc việc).'
    : 'Khi đến hạn, bước đang làm bị hủy và hồ sơ đi theo luồng ra của hẹn giờ: nối hẹn giờ tới bước cần làm tiếp.');
}

function TimerChoice(props) {
  const { element, id } = props;
  const injector = useService('injector');
  const definition = timerDefinition(element.businessObject);
  const getValue = () => ((definition.timeDate && definition.timeDate.body) || '').trim();
  const setValue = (value) => {
    const moddle = injector.get('moddle');
    injector.get('modeling').updateModdleProperties(element, definition, {
      timeDate: value ? moddle.create('bpmn:FormalExpression', { body: value }) : undefined,
      timeDuration: undefined,
      timeCycle: undefined
    });
  };
  return html`<${SelectEntry} id=${id} element=${element} label="Hẹn giờ"
    description=${what(element.businessObject)}
    getValue=${getValue} setValue=${setValue} getOptions=${() => withCurrent(getValue(), DEADLINES)} />`;
}

export function timerGroup(element) {
  return {
    id: 'motcua-timer',
    label: 'Hẹn giờ',
    component: Group,
    shouldOpen: true,
    entries: [{ id: 'motcua-timer', element, component: TimerChoice, isEdited: isSelectEntryEdited }]
  };
}
