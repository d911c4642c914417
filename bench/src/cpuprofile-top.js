#!/usr/bin/env node
// Summarises a V8 .cpuprofile (from `node --cpu-prof`): the functions with the most self
// time, and self time per package or source folder, to find where a run spends its CPU.
//   node bench/src/cpuprofile-top.js <file.cpuprofile> [top N]
import { readFileSync } from 'node:fs';

function ownerOf(url) {
  if (!url) return '(native / V8)';
  const modules = url.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/);
  if (modules) return modules[1];
  const packages = url.match(/packages\/([^/]+)\/(?:dist|src)\/(?:([^/]+)\/)?/);
  if (packages) return `@nimbus/${packages[1]}${packages[2] && !packages[2].endsWith('.js') ? `/${packages[2]}` : ''}`;
  if (url.startsWith('node:')) return url;
  return url.replace(/^file:\/\//, '');
}

export function summarizeProfile(profile, top = 25) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map();
  const deltas = profile.timeDeltas;
  for (let i = 0; i < profile.samples.length; i++) selfUs.set(profile.samples[i], (selfUs.get(profile.samples[i]) ?? 0) + (deltas[i] ?? 0));
  const totalUs = [...selfUs.values()].reduce((x, y) => x + y, 0);
  const functions = new Map();
  const owners = new Map();
  for (const [id, us] of selfUs) {
    const { callFrame } = byId.get(id);
    const where = callFrame.url ? `${callFrame.url.replace(/^file:\/\/.*?(node_modules|packages)\//, '$1/')}:${callFrame.lineNumber + 1}` : '';
    const key = `${callFrame.functionName || '(anonymous)'} ${where}`.trim();
    functions.set(key, (functions.get(key) ?? 0) + us);
    const owner = ownerOf(callFrame.url);
    owners.set(owner, (owners.get(owner) ?? 0) + us);
  }
  // Inclusive time of Nimbus's own functions: which phase of a run the time belongs to.
  const inclusiveUs = new Map();
  const subtree = (node) => {
    if (inclusiveUs.has(node.id)) return inclusiveUs.get(node.id);
    const us = (selfUs.get(node.id) ?? 0) + (node.children ?? []).reduce((sum, child) => sum + subtree(byId.get(child)), 0);
    inclusiveUs.set(node.id, us);
    return us;
  };
  const nimbusFunctions = new Map();
  const visit = (node, onStack) => {
    const { callFrame } = node;
    const key = callFrame.url.includes('/packages/') ? `${callFrame.functionName || '(anonymous)'} ${callFrame.url.replace(/^.*packages\//, '')}:${callFrame.lineNumber + 1}` : undefined;
    const counted = key && !onStack.has(key); // recursion counted once
    if (counted) nimbusFunctions.set(key, (nimbusFunctions.get(key) ?? 0) + subtree(node));
    const next = counted ? new Set(onStack).add(key) : onStack;
    for (const child of node.children ?? []) visit(byId.get(child), next);
  };
  visit(profile.nodes[0], new Set());
  const rows = (map) => [...map].sort((x, y) => y[1] - x[1]).slice(0, top).map(([k, us]) => `${(us / 1000).toFixed(0).padStart(7)} ms ${((us / totalUs) * 100).toFixed(1).padStart(5)}%  ${k}`);
  return [`total sampled ${(totalUs / 1000).toFixed(0)} ms`, '', 'self time by package / folder:', ...rows(owners), '', 'self time by function:', ...rows(functions), '', 'inclusive time of Nimbus functions:', ...rows(nimbusFunctions)].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [file, n] = process.argv.slice(2);
  if (!file) {
    console.error('usage: node bench/src/cpuprofile-top.js <file.cpuprofile> [top N]');
    process.exit(2);
  }
  console.log(summarizeProfile(JSON.parse(readFileSync(file, 'utf8')), Number(n) || 25));
}
