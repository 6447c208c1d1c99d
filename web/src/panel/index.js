import MotcuaPropertiesProvider from './provider.js';

export default {
  __init__: ['motcuaPropertiesProvider'],
  motcuaPropertiesProvider: ['type', MotcuaPropertiesProvider]
};
