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
    },
    // SpiffArena's other extensions (the server checks pre- and post-scripts): moddle drops
    // an element of a declared namespace whose type it does not know, so a SpiffArena file
    // opened here would lose them on its first autosave.
    ...['PreScript', 'PostScript', 'InstructionsForEndUser', 'MessagePayload', 'MessageVariable',
      'CalledDecisionId', 'SignalPayload', 'AllowGuest', 'GuestConfirmation', 'InputJson',
      'ExpectedOutputJson', 'PropertyId', 'Expression'].map((name) => ({
      name, superClass: ['Element'], properties: [{ name: 'body', type: 'String', isBody: true }]
    })),
    {
      name: 'ServiceTaskOperator',
      superClass: ['Element'],
      properties: [
        { name: 'id', type: 'String', isAttr: true },
        { name: 'resultVariable', type: 'String', isAttr: true },
        { name: 'parameterList', type: 'Parameters' },
        { name: 'retry', type: 'Retry' }
      ]
    },
    // What SpiffWorkflow itself reads besides the above (its parser: retries of a service
    // call, task metadata, message correlations): undeclared, moddle dropped them too.
    {
      name: 'Retry',
      superClass: ['Element'],
      properties: ['retries', 'backoff_base'].map((name) => ({ name, type: 'String', isAttr: true }))
    },
    { name: 'TaskMetadataValues', superClass: ['Element'], properties: [{ name: 'values', type: 'TaskMetadataValue', isMany: true }] },
    {
      name: 'TaskMetadataValue',
      superClass: ['Element'],
      properties: ['name', 'value'].map((name) => ({ name, type: 'String', isAttr: true }))
    },
    {
      name: 'ProcessVariableCorrelation',
      superClass: ['Element'],
      properties: [{ name: 'propertyId', type: 'PropertyId' }, { name: 'expression', type: 'Expression' }]
    },
    { name: 'Parameters', superClass: ['Element'], properties: [{ name: 'parameters', type: 'Parameter', isMany: true }] },
    {
      name: 'Parameter',
      superClass: ['Element'],
      properties: ['id', 'name', 'type', 'value'].map((name) => ({ name, type: 'String', isAttr: true }))
    },
    { name: 'UnitTests', superClass: ['Element'], properties: [{ name: 'unitTests', type: 'UnitTest', isMany: true }] },
    {
      name: 'UnitTest',
      superClass: ['Element'],
      properties: [
        { name: 'id', type: 'String', isAttr: true },
        { name: 'inputJson', type: 'InputJson' },
        { name: 'expectedOutputJson', type: 'ExpectedOutputJson' }
      ]
    }
  ]
};
