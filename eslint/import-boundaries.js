// The layering rules, as a lint rule: which folders a module may import from, and which packages. Relative paths and
// the `@shared/` alias are resolved against the repository, so a boundary cannot be crossed by spelling the path
// another way. See README.md (Architecture) for the map this encodes.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Each zone: the files it covers (a folder relative to the repository), the folders (or single modules, without
 * extension) it may import, and the packages it may import (exact names, or prefixes ending in '*').
 */
export const ZONES = [
  { name: 'shared', files: 'shared', allow: ['shared'], packages: [] },
  { name: 'renderer', files: 'renderer', allow: ['renderer', 'shared'], packages: ['svelte', 'svelte/*'] },
  { name: 'preload', files: 'electron/preload', allow: ['electron/preload', 'shared'], packages: ['electron'] },
  {
    name: 'electron/main',
    files: 'electron/main',
    allow: ['electron/main', 'shared', 'electron/engine/host'],
    packages: ['electron', 'node:*'],
  },
  // Inside the engine, the lower layers know nothing of the ones built on them.
  { name: 'engine/math', files: 'electron/engine/math', allow: ['electron/engine/math'], packages: [] },
  {
    name: 'engine/catalog',
    files: 'electron/engine/catalog',
    allow: ['electron/engine/catalog', 'electron/engine/math', 'shared'],
    packages: ['*'],
    forbiddenPackages: ['electron'],
  },
  {
    // General image decoding and serving: no ML (clip/), no search.
    name: 'engine/media',
    files: 'electron/engine/media',
    allow: ['electron/engine/media', 'electron/engine/catalog', 'electron/engine/library', 'electron/engine/indexing/types', 'electron/engine/math', 'shared'],
    packages: ['*'],
    forbiddenPackages: ['electron'],
  },
  {
    name: 'engine',
    files: 'electron/engine',
    allow: ['electron/engine', 'shared', 'models'],
    packages: ['*'],
    forbiddenPackages: ['electron'],
  },
];

function inside(file, folder) {
  const relative = path.relative(path.join(root, folder), file);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}

function withoutExtension(file) {
  return file.replace(/\.(ts|js|mjs|cjs|svelte|json)$/, '');
}

function allowedTarget(zone, target) {
  return zone.allow.some((entry) => inside(target, entry) || withoutExtension(target) === path.join(root, entry));
}

function packageName(specifier) {
  if (specifier.startsWith('node:')) return specifier;
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

function allowedPackage(zone, specifier) {
  const name = packageName(specifier);
  if ((zone.forbiddenPackages ?? []).includes(name)) return false;
  return zone.packages.some((entry) =>
    entry.endsWith('*') ? specifier.startsWith(entry.slice(0, -1)) || entry === '*' : entry === specifier || entry === name,
  );
}

export const importBoundaries = {
  meta: {
    type: 'problem',
    docs: { description: 'keeps each layer to the folders and packages it may import' },
    schema: [],
    messages: {
      folder: "{{zone}} may not import '{{specifier}}' (it may import only from {{allowed}})",
      package: "{{zone}} may not import the package '{{specifier}}'{{hint}}",
    },
  },
  create(context) {
    const file = path.resolve(context.filename);
    const zone = ZONES.find((z) => inside(file, z.files));
    if (!zone) return {};
    function check(node, specifier) {
      if (typeof specifier !== 'string') return;
      let target = null;
      if (specifier.startsWith('.')) target = path.resolve(path.dirname(file), specifier);
      else if (specifier.startsWith('@shared/')) target = path.join(root, 'shared', specifier.slice('@shared/'.length));
      if (target !== null) {
        if (!allowedTarget(zone, target)) {
          context.report({ node, messageId: 'folder', data: { zone: zone.name, specifier, allowed: zone.allow.join(', ') } });
        }
      } else if (!allowedPackage(zone, specifier)) {
        const hint = zone.name.startsWith('engine') ? ': the engine runs under plain Node' : '';
        context.report({ node, messageId: 'package', data: { zone: zone.name, specifier, hint } });
      }
    }
    const fromSource = (node) => node.source && check(node.source, node.source.value);
    return {
      ImportDeclaration: fromSource,
      ExportNamedDeclaration: fromSource,
      ExportAllDeclaration: fromSource,
      ImportExpression: (node) => node.source.type === 'Literal' && check(node.source, node.source.value),
    };
  },
};

export default { rules: { 'import-boundaries': importBoundaries } };
