/**
 * How `wire-json.ts` reads each message type: its fields in declaration order with how each is read
 * and written (kind, wire type, presence, JSON key, enum names, oneof partners), and which types
 * have a special form. Compiled once per type, on first use.
 */
import protobuf from 'protobufjs';
import { jsonKey, wrapperTypes } from './proto-json.js';

// Value kinds, by how they are read.
export const INT32 = 0;
export const UINT32 = 1;
export const SINT32 = 2;
export const BOOL = 3;
export const ENUM = 4;
export const INT64 = 5;
export const UINT64 = 6;
export const SINT64 = 7;
export const FIXED32 = 8;
export const SFIXED32 = 9;
export const FLOAT = 10;
export const FIXED64 = 11;
export const SFIXED64 = 12;
export const DOUBLE = 13;
export const STRING = 14;
export const BYTES = 15;
export const MESSAGE = 16;

const kindOf: Record<string, number> = {
  int32: INT32,
  uint32: UINT32,
  sint32: SINT32,
  bool: BOOL,
  int64: INT64,
  uint64: UINT64,
  sint64: SINT64,
  fixed32: FIXED32,
  sfixed32: SFIXED32,
  float: FLOAT,
  fixed64: FIXED64,
  sfixed64: SFIXED64,
  double: DOUBLE,
  string: STRING,
  bytes: BYTES,
};

function wireTypeOf(kind: number): number {
  if (kind <= SINT64) return 0;
  if (kind === FIXED32 || kind === SFIXED32 || kind === FLOAT) return 5;
  if (kind === FIXED64 || kind === SFIXED64 || kind === DOUBLE) return 1;
  return 2;
}

export const IMPLICIT = 0;
export const EXPLICIT = 1;
export const SUBMESSAGE = 2;

export interface FieldPlan {
  readonly slot: number;
  /** `"jsonName":` as UTF-8 */
  readonly key: Uint8Array;
  readonly kind: number;
  readonly wire: number;
  readonly repeated: boolean;
  /** A packable repeated scalar (protobufjs reads both encodings). */
  readonly packable: boolean;
  readonly presence: number;
  /** Enum value → its JSON text. */
  readonly enumNames: Map<number, Uint8Array> | undefined;
  readonly nullValue: boolean;
  readonly map: MapPlan | undefined;
  /** The message type of a message field (or of a map's values), compiled on first use. */
  readonly messageType: protobuf.Type | undefined;
  /** Its plan, once looked up (types refer to one another, so not at compile time). */
  messagePlan: MessagePlan | undefined;
  /** The slots of the other members of its oneof (setting one member deletes the others). */
  others: readonly number[];
}

export interface MapPlan {
  readonly valueKind: number;
  readonly valueWire: number;
}

export const NORMAL = 0;
export const TIMESTAMP = 1;
export const DURATION = 2;
export const STRUCT = 3;
export const VALUE = 4;
export const LIST = 5;
export const ANY = 6;
export const WRAPPER = 7;
/** Read by the decode-and-convert path only. */
export const UNSUPPORTED = 8;

export interface MessagePlan {
  readonly type: protobuf.Type;
  readonly form: number;
  readonly fields: readonly FieldPlan[];
  /** Field number → plan, for numbers below `byId.length`; larger ones in `byLargeId`. */
  readonly byId: ReadonlyArray<FieldPlan | undefined>;
  readonly byLargeId: ReadonlyMap<number, FieldPlan>;
}

const plans = new WeakMap<protobuf.Type, MessagePlan>();

/** The plan of a message field's type (or of a map's values). */
export function fieldMessagePlan(field: FieldPlan): MessagePlan {
  field.messagePlan ??= planFor(field.messageType!);
  return field.messagePlan;
}

export function planFor(type: protobuf.Type): MessagePlan {
  let plan = plans.get(type);
  if (plan === undefined) {
    plan = compile(type);
    plans.set(type, plan);
  }
  return plan;
}

function formOf(type: protobuf.Type): number {
  switch (type.fullName) {
    case '.google.protobuf.Timestamp':
      return TIMESTAMP;
    case '.google.protobuf.Duration':
      return DURATION;
    case '.google.protobuf.Struct':
      return STRUCT;
    case '.google.protobuf.Value':
      return VALUE;
    case '.google.protobuf.ListValue':
      return LIST;
    case '.google.protobuf.Any':
      return ANY;
    case '.google.protobuf.FieldMask':
      return UNSUPPORTED;
    default:
      return wrapperTypes.has(type.fullName) ? WRAPPER : NORMAL;
  }
}

function compile(type: protobuf.Type): MessagePlan {
  let form = formOf(type);
  const fields: FieldPlan[] = [];
  const byId: Array<FieldPlan | undefined> = [];
  const byLargeId = new Map<number, FieldPlan>();
  for (const declared of type.fieldsArray) {
    const field = declared.resolve();
    const plan = fieldPlan(field, fields.length);
    if (plan === undefined) {
      form = UNSUPPORTED;
      continue;
    }
    fields.push(plan);
    if (field.id < 1024) byId[field.id] = plan;
    else byLargeId.set(field.id, plan);
  }
  // The special forms are written from their fields by number: they must have the usual ones.
  const expected: Record<number, ReadonlyArray<readonly [number, number]>> = {
    [TIMESTAMP]: [
      [1, INT64],
      [2, INT32],
    ],
    [DURATION]: [
      [1, INT64],
      [2, INT32],
    ],
    [ANY]: [
      [1, STRING],
      [2, BYTES],
    ],
  };
  for (const oneof of type.oneofsArray) {
    const members = oneof.fieldsArray.map((f) => (f.id < 1024 ? byId[f.id] : byLargeId.get(f.id)));
    for (const member of members) if (member) member.others = members.filter((m) => m && m !== member).map((m) => m!.slot);
  }
  for (const [id, kind] of expected[form] ?? []) if (byId[id]?.kind !== kind) form = UNSUPPORTED;
  if (form === WRAPPER && (fields.length !== 1 || byId[1] === undefined)) form = UNSUPPORTED;
  return { type, form, fields, byId, byLargeId };
}

function fieldPlan(field: protobuf.Field, slot: number): FieldPlan | undefined {
  if (field.required || field.delimited) return undefined;
  let kind: number;
  let enumNames: Map<number, Uint8Array> | undefined;
  let nullValue = false;
  let messageType: protobuf.Type | undefined;
  const resolved = field.resolvedType;
  if (resolved instanceof protobuf.Enum) {
    // Closed enums keep unknown values apart, and an enum whose zero is not its default reads differently.
    const features = (resolved as unknown as { _features?: { enum_type?: string } })._features;
    if (features?.enum_type === 'CLOSED') return undefined;
    if (field.typeDefault !== 0 && field.typeDefault !== undefined && !field.repeated && !field.map) return undefined;
    kind = ENUM;
    nullValue = resolved.fullName === '.google.protobuf.NullValue';
    enumNames = new Map();
    for (const [name, num] of Object.entries(resolved.values)) if (!enumNames.has(num)) enumNames.set(num, Buffer.from(JSON.stringify(name)));
  } else if (resolved instanceof protobuf.Type) {
    kind = MESSAGE;
    messageType = resolved;
  } else {
    const k = kindOf[field.type];
    if (k === undefined) return undefined;
    kind = k;
  }
  let map: MapPlan | undefined;
  if (field instanceof protobuf.MapField) {
    if (field.keyType !== 'string') return undefined;
    map = { valueKind: kind, valueWire: wireTypeOf(kind) };
  }
  const presence = kind === MESSAGE ? SUBMESSAGE : field.hasPresence ? EXPLICIT : IMPLICIT;
  return {
    slot,
    key: Buffer.from(`${JSON.stringify(jsonKey(field))}:`),
    kind,
    wire: map ? 2 : wireTypeOf(kind),
    repeated: field.repeated && !map,
    packable: field.repeated && !map && kind !== STRING && kind !== BYTES && kind !== MESSAGE,
    presence,
    enumNames,
    nullValue,
    map,
    messageType,
    messagePlan: undefined,
    others: [],
  };
}
