/**
 * The collector serves Envoy's legacy `envoy.service.accesslog.v2.AccessLogService` by decoding
 * with the v3 types: @grpc/grpc-js-xds ships the two v2 access-log protos but not the
 * `envoy/api/v2/core/*.proto` files they import, so the v2 types cannot be loaded. That is sound
 * only if every v2 field exists in the v3 counterpart with the same number and a type that reads
 * the same bytes. These tests parse the shipped v2 texts on their own (no import resolution) and
 * check exactly that, field by field.
 *
 * The v2 core types themselves (`Node`, `Address`, `Metadata`, …) are not shipped, so their
 * fields cannot be compared; for them the check is that the v3 type declares the v2 one as its
 * `previous_message_type`, Envoy's own record that it is the wire-compatible successor.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import { envoyProtos, protoIncludeDirs } from './protos.js';

const V2_FILES = ['envoy/service/accesslog/v2/als.proto', 'envoy/data/accesslog/v2/accesslog.proto'];

function findProto(file: string): string {
  for (const dir of protoIncludeDirs()) {
    const candidate = path.join(dir, file);
    if (existsSync(candidate)) return candidate;
  }
  throw new Error(`${file} is not in any proto include folder.`);
}

/** The v2 files parsed into one Root, without loading what they import. */
function parseV2(): protobuf.Root {
  const root = new protobuf.Root();
  for (const file of V2_FILES) protobuf.parse(readFileSync(findProto(file), 'utf8'), root, { keepCase: true });
  return root;
}

/** Exact lookup of a fully-qualified name (no leading dot). */
function lookupExact(root: protobuf.Root, fullName: string): protobuf.ReflectionObject | undefined {
  let current: protobuf.ReflectionObject = root;
  for (const part of fullName.split('.')) {
    if (!(current instanceof protobuf.Namespace) || !current.nested || !Object.hasOwn(current.nested, part)) return undefined;
    current = current.nested[part]!;
  }
  return current;
}

/**
 * The full name a v2 field's type refers to, by protobuf's scoping rules for the types defined in
 * the two files; the others are the imported ones, which the files name relative to `envoy`
 * (`api.v2.core.Node`, `data.accesslog.v2.X`) or in full (`google.protobuf.Duration`).
 */
function resolveV2(root: protobuf.Root, field: protobuf.FieldBase): string {
  const written = field.type.replace(/^\./, '');
  for (let scope: protobuf.Namespace | null = field.parent; scope !== null; scope = scope.parent) {
    const candidate = scope.fullName === '' ? written : `${scope.fullName.slice(1)}.${written}`;
    if (lookupExact(root, candidate) !== undefined) return candidate;
  }
  if (written.startsWith('google.protobuf.')) return written;
  return `envoy.${written}`;
}

/** The v3 name Envoy gave a v2 type. */
function v3NameOf(v2Name: string): string {
  const renames: Array<[string, string]> = [
    ['envoy.api.v2.core.', 'envoy.config.core.v3.'],
    ['envoy.data.accesslog.v2.', 'envoy.data.accesslog.v3.'],
    ['envoy.service.accesslog.v2.', 'envoy.service.accesslog.v3.'],
    ['envoy.type.', 'envoy.type.v3.'],
  ];
  for (const [from, to] of renames) if (v2Name.startsWith(from)) return to + v2Name.slice(from.length);
  return v2Name; // google.protobuf.*
}

const SCALARS = new Set([
  'double',
  'float',
  'int32',
  'int64',
  'uint32',
  'uint64',
  'sint32',
  'sint64',
  'fixed32',
  'fixed64',
  'sfixed32',
  'sfixed64',
  'bool',
  'string',
  'bytes',
]);

function allTypes(namespace: protobuf.NamespaceBase, into: protobuf.Type[] = []): protobuf.Type[] {
  for (const nested of namespace.nestedArray) {
    if (nested instanceof protobuf.Type) into.push(nested);
    if (nested instanceof protobuf.Namespace) allTypes(nested, into);
  }
  return into;
}

function allEnums(namespace: protobuf.NamespaceBase, into: protobuf.Enum[] = []): protobuf.Enum[] {
  for (const nested of namespace.nestedArray) {
    if (nested instanceof protobuf.Enum) into.push(nested);
    if (nested instanceof protobuf.Namespace) allEnums(nested, into);
  }
  return into;
}

/** Every way a v2 field differs from its v3 counterpart in what the bytes mean; empty when compatible. */
function incompatibilities(v2: protobuf.Root, v3: protobuf.Root): string[] {
  const problems: string[] = [];
  for (const type of allTypes(v2)) {
    const v2Name = type.fullName.slice(1);
    const counterpart = lookupExact(v3, v3NameOf(v2Name));
    if (!(counterpart instanceof protobuf.Type)) {
      problems.push(`${v2Name}: no v3 message ${v3NameOf(v2Name)}`);
      continue;
    }
    for (const field of type.fieldsArray) {
      const where = `${v2Name}.${field.name} = ${field.id}`;
      const other = counterpart.fieldsById[field.id]?.resolve();
      if (other === undefined) {
        problems.push(`${where}: no field with that number in ${counterpart.fullName.slice(1)}`);
        continue;
      }
      if (field.repeated !== other.repeated) problems.push(`${where}: repeated in one version only`);
      const v2Map = field instanceof protobuf.MapField;
      const v3Map = other instanceof protobuf.MapField;
      if (v2Map !== v3Map) problems.push(`${where}: a map in one version only`);
      if (v2Map && v3Map && (field as protobuf.MapField).keyType !== (other as unknown as protobuf.MapField).keyType)
        problems.push(`${where}: map key type differs`);
      if (SCALARS.has(field.type)) {
        if (field.type !== other.type) problems.push(`${where}: ${field.type} in v2, ${other.type} in v3`);
        continue;
      }
      const expected = v3NameOf(resolveV2(v2, field));
      const actual = other.resolvedType?.fullName.slice(1);
      if (actual !== expected) problems.push(`${where}: ${resolveV2(v2, field)} should be ${expected} in v3, is ${actual ?? other.type}`);
    }
  }
  for (const enumType of allEnums(v2)) {
    const v2Name = enumType.fullName.slice(1);
    const counterpart = lookupExact(v3, v3NameOf(v2Name));
    if (!(counterpart instanceof protobuf.Enum)) {
      problems.push(`${v2Name}: no v3 enum ${v3NameOf(v2Name)}`);
      continue;
    }
    for (const [name, id] of Object.entries(enumType.values)) {
      if (counterpart.valuesById[id] === undefined) problems.push(`${v2Name}.${name} = ${id}: no value with that number in v3`);
    }
  }
  return problems;
}

describe('v2 access-log protos decode with the v3 types', () => {
  const v2 = parseV2();
  const v3 = envoyProtos('als');

  it('finds the v2 messages it is meant to compare', () => {
    const names = allTypes(v2).map((type) => type.fullName.slice(1));
    expect(names).toEqual(
      expect.arrayContaining([
        'envoy.service.accesslog.v2.StreamAccessLogsMessage',
        'envoy.service.accesslog.v2.StreamAccessLogsMessage.Identifier',
        'envoy.data.accesslog.v2.HTTPAccessLogEntry',
        'envoy.data.accesslog.v2.TCPAccessLogEntry',
        'envoy.data.accesslog.v2.AccessLogCommon',
        'envoy.data.accesslog.v2.ResponseFlags.Unauthorized',
        'envoy.data.accesslog.v2.TLSProperties.CertificateProperties.SubjectAltName',
      ]),
    );
    expect(allTypes(v2).reduce((n, type) => n + type.fieldsArray.length, 0)).toBeGreaterThan(80);
  });

  it('every v2 field has a v3 field with the same number and a type that reads the same bytes', () => {
    expect(incompatibilities(v2, v3)).toEqual([]);
  });

  it('would notice a field that changed', () => {
    const changed = parseV2();
    const common = lookupExact(changed, 'envoy.data.accesslog.v2.AccessLogCommon') as protobuf.Type;
    common.add(new protobuf.Field('made_up', 999, 'string'));
    common.remove(common.fields['sample_rate']!).add(new protobuf.Field('sample_rate', 1, 'float'));
    expect(incompatibilities(changed, v3)).toEqual([
      'envoy.data.accesslog.v2.AccessLogCommon.made_up = 999: no field with that number in envoy.data.accesslog.v3.AccessLogCommon',
      'envoy.data.accesslog.v2.AccessLogCommon.sample_rate = 1: float in v2, double in v3',
    ]);
  });

  it('each v3 counterpart names its v2 message as previous_message_type, including the core types v2 imports', () => {
    const referenced = new Set<string>();
    for (const type of allTypes(v2)) {
      referenced.add(type.fullName.slice(1));
      for (const field of type.fieldsArray) if (!SCALARS.has(field.type) && !field.type.startsWith('google.protobuf.')) referenced.add(resolveV2(v2, field));
    }
    expect([...referenced].filter((name) => name.startsWith('envoy.api.v2.core.')).sort()).toEqual([
      'envoy.api.v2.core.Address',
      'envoy.api.v2.core.Metadata',
      'envoy.api.v2.core.Node',
      'envoy.api.v2.core.RequestMethod',
    ]);
    const mismatched: string[] = [];
    for (const name of referenced) {
      const counterpart = lookupExact(v3, v3NameOf(name));
      // Enums carry no versioning annotation; their values are compared above where v2 defines them.
      if (counterpart instanceof protobuf.Enum) continue;
      const previous = counterpart?.options?.['(udpa.annotations.versioning).previous_message_type'];
      if (previous !== name) mismatched.push(`${name}: ${v3NameOf(name)} has previous_message_type ${String(previous)}`);
    }
    expect(mismatched).toEqual([]);
  });
});
