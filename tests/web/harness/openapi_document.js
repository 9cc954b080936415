// docs/openapi.json as a validator (issue 18 item 1): every schema of the document compiled by
// Ajv (JSON Schema 2020-12, strict mode), and a check of one real answer against the response
// the document gives for its path, method, status and content type.

import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import { webDir } from './deps.js';

const require = createRequire(path.join(webDir, 'package.json'));
const Ajv2020 = require('ajv/dist/2020').default;
const addFormats = require('ajv-formats').default;

export const DOCUMENT_FILE = path.resolve(webDir, '../docs/openapi.json');

// The document's references point into itself (#/components/schemas/X). Ajv only follows
// references into schemas it knows, so the components are registered as one schema under this
// id, each under $defs, and every reference is rewritten to point there.
const BASE = 'urn:levain:openapi';
const SCHEMA_REF = '#/components/schemas/';

function rewriteRefs(value) {
  if (Array.isArray(value)) return value.map(rewriteRefs);
  if (!value || typeof value !== 'object') return value;
  const out = {};
  for (const [key, v] of Object.entries(value)) {
    out[key] = key === '$ref' && typeof v === 'string' && v.startsWith(SCHEMA_REF)
      ? `${BASE}#/$defs/${v.slice(SCHEMA_REF.length)}`
      : rewriteRefs(v);
  }
  return out;
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];

/** A query or header value as the parameter's schema types it: "7" is 7 for an integer. */
function coerce(schema, text) {
  const types = [schema?.type].flat();
  if ((types.includes('integer') || types.includes('number')) && /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(text)) {
    return Number(text);
  }
  return text;
}

function describeErrors(errors) {
  return (errors ?? []).map((e) => `${e.instancePath || '(root)'} ${e.message}` +
    (e.params && Object.keys(e.params).length ? ` ${JSON.stringify(e.params)}` : '')).join('; ');
}

export class OpenApiDocument {
  constructor(text = fs.readFileSync(DOCUMENT_FILE, 'utf8')) {
    this.text = text;
    this.doc = JSON.parse(text);
    // Strict mode stays on, so an unknown keyword or a typo in the document fails here. Union
    // types (["number", "null"]) are how JSON Schema 2020-12 and OpenAPI 3.1 write a nullable
    // field, and Ajv asks for them to be allowed by name.
    this.ajv = new Ajv2020({ strict: true, allowUnionTypes: true, allErrors: true });
    addFormats(this.ajv);
    this.ajv.addSchema({ $id: BASE, $defs: rewriteRefs(this.doc.components.schemas) });
    this.validators = new Map();
  }

  /** Compiles every schema the document holds; throws naming the first that does not compile. */
  compileAll() {
    let count = 0;
    const compile = (where, schema) => {
      try {
        this.#validator(where, schema);
        count += 1;
      } catch (e) {
        throw new Error(`${where}: ${e.message}`);
      }
    };
    for (const name of Object.keys(this.doc.components.schemas)) {
      compile(`components.schemas.${name}`, { $ref: `${SCHEMA_REF}${name}` });
    }
    for (const [name, p] of Object.entries(this.doc.components.parameters ?? {})) compile(`components.parameters.${name}`, p.schema);
    for (const [name, h] of Object.entries(this.doc.components.headers ?? {})) compile(`components.headers.${name}`, h.schema);
    for (const { where, response } of this.#allResponses()) {
      for (const [type, media] of Object.entries(response.content ?? {})) compile(`${where} ${type}`, media.schema);
    }
    for (const { where, op } of this.operations()) {
      for (const [type, media] of Object.entries(this.resolve(op.requestBody)?.content ?? {})) {
        compile(`${where} request ${type}`, media.schema);
      }
      for (const p of this.parametersOf(where.path, where.method)) compile(`${where} parameter ${p.name}`, p.schema);
    }
    return count;
  }

  /** Every operation: {where: {path, method, toString}, op}. */
  *operations() {
    for (const [p, item] of Object.entries(this.doc.paths)) {
      for (const method of METHODS) {
        if (item[method]) yield { where: { path: p, method, toString: () => `${method.toUpperCase()} ${p}` }, op: item[method] };
      }
    }
  }

  *#allResponses() {
    for (const { where, op } of this.operations()) {
      for (const [status, r] of Object.entries(op.responses)) yield { where: `${where} ${status}`, response: this.resolve(r) };
    }
    for (const [name, r] of Object.entries(this.doc.components.responses ?? {})) {
      yield { where: `components.responses.${name}`, response: r };
    }
  }

  /** Follows a local $ref (#/components/...) to what it names. */
  resolve(value) {
    let v = value;
    while (v && typeof v.$ref === 'string') {
      if (!v.$ref.startsWith('#/')) throw new Error(`cannot resolve ${v.$ref}`);
      v = v.$ref.slice(2).split('/').reduce((o, k) => o?.[k.replaceAll('~1', '/').replaceAll('~0', '~')], this.doc);
      if (v === undefined) throw new Error(`${value.$ref} names nothing`);
    }
    return v;
  }

  /** The path's and the operation's parameters, resolved (the operation's win). */
  parametersOf(p, method) {
    const item = this.doc.paths[p];
    const byKey = new Map();
    for (const raw of [...(item.parameters ?? []), ...(item[method]?.parameters ?? [])]) {
      const param = this.resolve(raw);
      byKey.set(`${param.in}:${param.name}`, param);
    }
    return [...byKey.values()];
  }

  /** The documented path template a request path falls under, or undefined. */
  templateOf(pathname) {
    const segments = pathname.split('/').slice(1);
    for (const template of Object.keys(this.doc.paths)) {
      const parts = template.split('/').slice(1);
      if (parts.length !== segments.length) continue;
      if (parts.every((part, i) => part.startsWith('{') || part === segments[i])) return template;
    }
    return undefined;
  }

  /** The path parameters of `pathname` under `template`, percent-decoded. */
  pathParams(template, pathname) {
    const out = {};
    const segments = pathname.split('/').slice(1);
    template.split('/').slice(1).forEach((part, i) => {
      if (part.startsWith('{')) out[part.slice(1, -1)] = decodeURIComponent(segments[i]);
    });
    return out;
  }

  #validator(key, schema) {
    if (!this.validators.has(key)) this.validators.set(key, this.ajv.compile(rewriteRefs(schema ?? {})));
    return this.validators.get(key);
  }

  /** Problems of `value` against the named component schema ([] when it is valid). */
  checkSchema(name, value) {
    const validate = this.#validator(`components.schemas.${name}`, { $ref: `${SCHEMA_REF}${name}` });
    return validate(value) ? [] : [`not a ${name}: ${describeErrors(validate.errors)}`];
  }

  /** Problems of a parameter's value against the operation's parameter of that name. */
  checkParam(template, method, where, name, text) {
    const param = this.parametersOf(template, method).find((p) => p.in === where && p.name === name);
    if (!param) return [`${where} parameter '${name}' is not documented`];
    const validate = this.#validator(`${template} ${method} ${where}:${name}`, param.schema);
    return validate(coerce(param.schema, text)) ? [] : [`${where} parameter ${name}=${JSON.stringify(text)}: ${describeErrors(validate.errors)}`];
  }

  /** Problems of a request body against the operation's request body for `type`. */
  checkRequest(template, method, type, value) {
    const body = this.resolve(this.doc.paths[template]?.[method]?.requestBody);
    const media = body?.content?.[type];
    if (!media) return [`request body ${type} is not documented`];
    const validate = this.#validator(`${template} ${method} request ${type}`, media.schema);
    return validate(value) ? [] : [`request body: ${describeErrors(validate.errors)}`];
  }

  /**
   * Problems of one real answer against the document: its status must be documented for the
   * operation (a 405 for a method the path does not list, against MethodNotAllowed), its
   * required headers sent, its content type listed and its body valid against that schema.
   */
  checkResponse({ template, method, status, headers, text }) {
    const problems = [];
    const item = this.doc.paths[template];
    if (!item) return [`path ${template} is not documented`];
    const op = item[method];
    let key;
    let response;
    if (!op) {
      if (status !== 405) return [`${method.toUpperCase()} is not documented, so only a 405 is expected, not ${status}`];
      key = 'components.responses.MethodNotAllowed';
      response = this.resolve({ $ref: '#/components/responses/MethodNotAllowed' });
    } else {
      key = [String(status), `${String(status)[0]}XX`, 'default'].find((k) => op.responses[k]);
      if (!key) return [`status ${status} is not documented (documented: ${Object.keys(op.responses).join(', ')})`];
      response = this.resolve(op.responses[key]);
    }
    for (const [name, raw] of Object.entries(response.headers ?? {})) {
      const header = this.resolve(raw);
      const value = headers[name.toLowerCase()];
      if (value === undefined) {
        if (header.required) problems.push(`header ${name} is required, not sent`);
        continue;
      }
      const validate = this.#validator(`${template} ${method} ${key} header ${name}`, header.schema);
      if (!validate(coerce(header.schema, value))) problems.push(`header ${name}: ${describeErrors(validate.errors)}`);
    }
    if (!response.content) return problems;
    const type = String(headers['content-type'] ?? '').split(';')[0].trim();
    const media = response.content[type];
    if (!media) {
      problems.push(`content type '${type}' is not documented (documented: ${Object.keys(response.content).join(', ')})`);
      return problems;
    }
    let value = text;
    if (type === 'application/json') {
      try {
        value = JSON.parse(text);
      } catch (e) {
        problems.push(`the body is not JSON: ${e.message}`);
        return problems;
      }
    }
    const validate = this.#validator(`${template} ${method} ${key} ${type}`, media.schema);
    if (!validate(value)) problems.push(`body (${key} ${type}): ${describeErrors(validate.errors)}`);
    return problems;
  }
}
