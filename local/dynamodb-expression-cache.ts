/**
 * A memo for dynalite's expression parsers (UpdateExpression, ConditionExpression,
 * KeyConditionExpression, FilterExpression, ProjectionExpression), installed in dynalite's
 * thread (dynamodb-thread.ts). dynalite parses every expression of every call with a PEG parser
 * that backtracks a lot: about 45% of its thread's CPU in the local cloud, although a handler
 * sends the same few expressions over and over with new values.
 *
 * What a parse returns and which checks it fails depend on the expression, the
 * ExpressionAttributeNames, and of the ExpressionAttributeValues only on which names are defined
 * and each value's type (the parsers' getType / getImmediateType), except in two places that read
 * a value itself: BETWEEN (compares its bounds) and attribute_type (reads its type name). So:
 *
 * - The key is the parser, the expression, the names, and each value's name with its type keys.
 *   Expressions that mention BETWEEN or attribute_type are never cached.
 * - Only successful parses are kept; a failed check (the parsers return its message, or throw a
 *   SyntaxError) is parsed again each time.
 * - What is kept is a template of the parse tree in which each ExpressionAttributeValues object
 *   (the parser puts those objects into the tree as they are) is a placeholder. A hit builds a
 *   fresh copy of the tree with this call's values, so dynalite may change what it gets.
 * - A tree holding anything else that came from a value (a part of one), or an object that is
 *   not a plain object or array, is not cached.
 * - Which names and values the expression used (dynalite then reports the unused ones) is
 *   recorded on the miss, from a parse against fresh "unused" sets, and replayed on each hit.
 *
 * The code is CommonJS in a string for the reason the thread's own is (see dynamodb-thread.ts):
 * `module.exports = memoizeParser`, a function from a parser module to a memoizing `parse`.
 */

/** Entries kept per parser before the memo starts over (a handler uses a few dozen expressions). */
export const EXPRESSION_CACHE_LIMIT = 2000;

export const EXPRESSION_CACHE_SOURCE = String.raw`
'use strict';
const LIMIT = ${EXPRESSION_CACHE_LIMIT};
const VALUE_DEPENDENT = /between|attribute_type/i;

function typeKeys(value) {
  if (value === null || typeof value !== 'object') return '!' + typeof value;
  return Object.keys(value).map((key) => (value[key] == null ? key + '=null' : key));
}

function keyOf(str, context) {
  const names = context.attrNames;
  const vals = context.attrVals;
  const nameList = names == null ? null : Object.keys(names).sort().map((name) => [name, names[name]]);
  const valList = vals == null ? null : Object.keys(vals).sort().map((name) => [name, typeKeys(vals[name])]);
  return JSON.stringify([str, nameList, valList]);
}

function nestedObjects(vals) {
  const seen = new Set();
  const walk = (value) => {
    if (value === null || typeof value !== 'object' || seen.has(value)) return;
    seen.add(value);
    for (const key of Object.keys(value)) walk(value[key]);
  };
  if (vals != null) for (const name of Object.keys(vals)) {
    const value = vals[name];
    if (value !== null && typeof value === 'object') for (const key of Object.keys(value)) walk(value[key]);
  }
  return seen;
}

const PLACEHOLDER = Symbol('expression attribute value');

// The tree with each value object swapped for { [PLACEHOLDER]: name }, or undefined when the tree
// holds something a template cannot stand for.
function templateOf(tree, vals) {
  const byObject = new Map();
  if (vals != null) for (const name of Object.keys(vals)) {
    if (vals[name] !== null && typeof vals[name] === 'object') byObject.set(vals[name], name);
  }
  const inner = nestedObjects(vals);
  const copy = (node) => {
    if (node === null || typeof node !== 'object') return typeof node === 'function' || typeof node === 'symbol' ? undefined : { node };
    const name = byObject.get(node);
    if (name !== undefined) return { node: { [PLACEHOLDER]: name } };
    if (inner.has(node)) return undefined;
    const proto = Object.getPrototypeOf(node);
    const isArray = Array.isArray(node);
    if (!isArray && proto !== Object.prototype && proto !== null) return undefined;
    if (Object.getOwnPropertySymbols(node).length > 0) return undefined;
    const out = isArray ? [] : Object.create(proto);
    for (const key of Object.keys(node)) {
      const child = copy(node[key]);
      if (child === undefined) return undefined;
      out[key] = child.node;
    }
    return { node: out };
  };
  const result = copy(tree);
  return result === undefined ? undefined : result.node;
}

function instantiate(node, vals) {
  if (node === null || typeof node !== 'object') return node;
  if (Object.prototype.hasOwnProperty.call(node, PLACEHOLDER)) return vals[node[PLACEHOLDER]];
  const out = Array.isArray(node) ? [] : Object.create(Object.getPrototypeOf(node));
  for (const key of Object.keys(node)) out[key] = instantiate(node[key], vals);
  return out;
}

function allTrue(object) {
  const out = {};
  if (object != null) for (const key of Object.keys(object)) out[key] = true;
  return out;
}

function usedOf(before, after) {
  return Object.keys(before).filter((key) => !(key in after));
}

module.exports = function memoizeParser(parser) {
  const parse = parser.parse;
  const entries = new Map();
  return function memoizedParse(str, options) {
    const context = options && options.context;
    if (typeof str !== 'string' || context == null || VALUE_DEPENDENT.test(str)) return parse(str, options);
    const key = keyOf(str, context);
    const hit = entries.get(key);
    if (hit !== undefined) {
      for (const name of hit.usedNames) if (context.unusedAttrNames) delete context.unusedAttrNames[name];
      for (const name of hit.usedVals) if (context.unusedAttrVals) delete context.unusedAttrVals[name];
      return instantiate(hit.template, context.attrVals);
    }
    // The miss parses against fresh "unused" sets to learn what this expression uses by itself.
    const unusedAttrNames = allTrue(context.attrNames);
    const unusedAttrVals = allTrue(context.attrVals);
    const own = Object.assign({}, context, { unusedAttrNames, unusedAttrVals });
    const tree = parse(str, Object.assign({}, options, { context: own }));
    const usedNames = usedOf(allTrue(context.attrNames), unusedAttrNames);
    const usedVals = usedOf(allTrue(context.attrVals), unusedAttrVals);
    for (const name of usedNames) if (context.unusedAttrNames) delete context.unusedAttrNames[name];
    for (const name of usedVals) if (context.unusedAttrVals) delete context.unusedAttrVals[name];
    // A parser reports a failed check by returning its message (a string): parsed again each time.
    const template = tree !== null && typeof tree === 'object' ? templateOf(tree, context.attrVals) : undefined;
    if (template !== undefined) {
      if (entries.size >= LIMIT) entries.clear();
      entries.set(key, { template, usedNames, usedVals });
    }
    return tree;
  };
};
`;
