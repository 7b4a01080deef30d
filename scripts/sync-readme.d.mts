/** Marker name in README.md → the file shown there. */
export const BLOCKS: Record<string, string>;
export function renderBlock(readme: string, name: string, code: string): string;
export function renderReadme(readme: string, readFile?: (path: string) => string): string;
