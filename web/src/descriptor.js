// The platform's BPMN dialect for bpmn-js's moddle: <spiffworkflow:properties> holding
// <spiffworkflow:property name value/> (contract: bpmn-dialect.md). Declaring the types lets
// the modeler read, write and keep them instead of treating them as unknown XML.
export const NS = 'http://spiffworkflow.org/bpmn/schema/1.0/core';

export default {
  name: 'SpiffWorkflow',
  prefix: 'spiffworkflow',
  uri: NS,
  xml: { tagAlias: 'lowerCase' },
  associations: [],
  types: [
    {
      name: 'Properties',
      superClass: ['Element'],
      properties: [{ name: 'properties', type: 'Property', isMany: true }]
    },
    {
      name: 'Property',
      superClass: ['Element'],
      properties: [
        { name: 'name', type: 'String', isAttr: true },
        { name: 'value', type: 'String', isAttr: true }
      ]
    }
  ]
};
