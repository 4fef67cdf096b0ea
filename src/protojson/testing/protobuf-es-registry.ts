/**
 * A protobuf-es registry source from the protobufjs Root: lets protobuf-es (the proto3 JSON oracle
 * in tests, a yardstick in the bench) work from the very same .proto files.
 */
import type protobuf from 'protobufjs';
import type { IDescriptorProto, IFieldDescriptorProto, IFileDescriptorProto } from 'protobufjs/ext/descriptor.js';

/**
 * The protobufjs Root as an encoded `google.protobuf.FileDescriptorSet` that protobuf-es accepts, so
 * that protobuf-es works from the very same .proto files as protobufjs (no second copy, no protoc).
 *
 * protobufjs's `toDescriptor` gets close but not all the way, and this repairs it: type names are
 * written relative (`Identifier`) where protobuf-es needs them fully qualified; files (one per
 * package) list no dependencies and come in no particular order, where protobuf-es resolves each
 * file against those before it; extension fields (the `validate`/`udpa` options) appear as
 * ordinary fields of the extended types; and `json_name` is left empty where protoc would always
 * set it. Options and extensions are dropped: JSON output does not depend on them. JSON names
 * are derived here from the proto names with protoc's rule, not copied from protobufjs, so a test
 * against protobuf-es also checks the names protobufjs gives.
 */
export async function fileDescriptorSetOf(root: protobuf.Root): Promise<Uint8Array> {
  const descriptor = (await import('protobufjs/ext/descriptor.js')).default;
  const { Namespace, Type, Root } = (await import('protobufjs')).default;
  const set = root.toDescriptor('proto3');
  const files = (set.file ?? []) as IFileDescriptorProto[];
  const packageOf = (object: protobuf.ReflectionObject): string => {
    let parent = object.parent;
    while (parent instanceof Type) parent = parent.parent;
    return parent === null || parent instanceof Root ? '' : parent.fullName.slice(1);
  };
  const fileOfPackage = new Map(files.map((file) => [file.package ?? '', file]));
  const dependencies = new Map<IFileDescriptorProto, Set<IFileDescriptorProto>>();

  for (const file of files) {
    const needs = new Set<IFileDescriptorProto>();
    const repair = (messages: IDescriptorProto[], scope: protobuf.Namespace) => {
      for (const message of messages) {
        const type = scope.get(message.name ?? '');
        if (!(type instanceof Type)) continue; // a map entry, repaired with its map field
        message.options = undefined;
        message.extension = [];
        message.extensionRange = [];
        message.field = (message.field ?? []).filter((fd) => {
          const field = type.fieldsById[fd.number ?? -1];
          return field !== undefined && !fd.extendee && !field.declaringField && !field.extend;
        });
        for (const fd of message.field) {
          const field = type.fieldsById[fd.number ?? -1]!.resolve();
          fd.options = undefined;
          fd.jsonName = protocJsonName(fd.name ?? '');
          if (field.map) {
            const entry = (message.nestedType ?? []).find((nested) => nested.name === fd.typeName);
            const value = entry?.field?.find((f: IFieldDescriptorProto) => f.number === 2);
            if (value !== undefined && field.resolvedType !== null) value.typeName = field.resolvedType.fullName;
            fd.typeName = `${type.fullName}.${fd.typeName}`;
          } else if (fd.typeName && field.resolvedType !== null) {
            fd.typeName = field.resolvedType.fullName;
          }
          if (field.resolvedType !== null) {
            const dependency = fileOfPackage.get(packageOf(field.resolvedType));
            if (dependency !== undefined && dependency !== file) needs.add(dependency);
          }
        }
        repair(message.nestedType ?? [], type);
      }
    };
    file.extension = [];
    file.options = undefined;
    const scope = file.package ? root.lookup(file.package) : root;
    if (scope instanceof Namespace) repair(file.messageType ?? [], scope);
    dependencies.set(file, needs);
    file.dependency = [...needs].map((dependency) => dependency.name);
  }

  const ordered: IFileDescriptorProto[] = [];
  const state = new Map<IFileDescriptorProto, 'visiting' | 'done'>();
  const visit = (file: IFileDescriptorProto) => {
    if (state.get(file) === 'done') return;
    if (state.get(file) === 'visiting') throw new Error(`The packages of ${file.name} depend on each other in a cycle.`);
    state.set(file, 'visiting');
    for (const dependency of dependencies.get(file) ?? []) visit(dependency);
    state.set(file, 'done');
    ordered.push(file);
  };
  files.forEach(visit);
  set.file = ordered;
  return descriptor.FileDescriptorSet.encode(set).finish();
}

/** protoc's `ToJsonName`: drop each underscore and upper-case the character after it. */
function protocJsonName(name: string): string {
  let out = '';
  let upper = false;
  for (const ch of name) {
    if (ch === '_') upper = true;
    else {
      out += upper ? ch.toUpperCase() : ch;
      upper = false;
    }
  }
  return out;
}
