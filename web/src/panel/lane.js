// A lane names who works there: a role and a unit (selector or explicit agency).
import { Group } from '@bpmn-io/properties-panel';
import { getProperty } from '../dialect.js';
import { selectEntry, withCurrent } from './common.js';
import { labelOf, roleOptions, unitLabel, unitOptions } from './options.js';

export function laneGroup(element, config) {
  return {
    id: 'motcua-lane',
    label: 'Người thực hiện trong làn',
    component: Group,
    shouldOpen: true,
    entries: [
      selectEntry({
        element, name: 'role', label: 'Vai trò',
        description: 'Mọi bước trong làn do cán bộ có vai trò này xử lý.',
        options: (bo) => withCurrent(getProperty(bo, 'role'), roleOptions(config))
      }),
      selectEntry({
        element, name: 'unit', label: 'Đơn vị',
        description: 'Đơn vị của cán bộ: theo hồ sơ, hoặc một cơ quan cụ thể (liên thông).',
        options: (bo) => withCurrent(getProperty(bo, 'unit'), unitOptions(config))
      })
    ]
  };
}

/** The innermost lane holding a flow node, or null. */
export function laneOf(bo) {
  const lanes = (bo.get && bo.get('lanes')) || [];
  const leaves = lanes.filter((l) => !(l.childLaneSet && l.childLaneSet.lanes && l.childLaneSet.lanes.length));
  return leaves[0] || lanes[0] || null;
}

/** What a step takes from its lane, in words. */
export function inheritedText(bo, config) {
  const lane = laneOf(bo);
  if (!lane) return 'Bước không nằm trong làn nào: đặt vai trò và đơn vị cho chính bước.';
  const role = getProperty(lane, 'role');
  const unit = getProperty(lane, 'unit');
  const name = lane.name || lane.id;
  return `Theo làn "${name}" — vai trò: ${role ? labelOf(config.roles, role) : '(chưa đặt)'}; ` +
    `đơn vị: ${unit ? unitLabel(config, unit) : '(chưa đặt)'}.`;
}
