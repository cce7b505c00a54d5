import { loadConfigText } from './loader';
import { DEFAULT_CONFIG_YAML } from './defaults';
import type { Config } from './types';

export { loadConfigFile, loadConfigText } from './loader';
export { DEFAULT_CONFIG_YAML } from './defaults';
export { parseSize } from './size';
export type * from './types';

export function defaultConfig(): Config {
  return loadConfigText(DEFAULT_CONFIG_YAML, '(embedded default)');
}
