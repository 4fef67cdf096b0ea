/**
 * The CLI reference, read from the commander program itself (`buildProgram()`): one generated
 * section per command with its usage, description, arguments and every flag with its default.
 */
import type { Argument, Command, Option } from 'commander';
import { cell, code } from './markers.js';

export function cliSectionName(command: Command): string {
  return `cli-${command.name()}`;
}

export function commandSection(command: Command, programName: string): string {
  const lines = ['```text', `${programName} ${command.name()} ${command.usage()}`, '```', '', cell(command.description())];
  const args = command.registeredArguments;
  if (args.length > 0) {
    lines.push('', '| argument | meaning |', '|---|---|');
    for (const a of args) lines.push(`| \`${code(argumentLabel(a))}\` | ${cell(a.description ?? '')} |`);
  }
  if (command.options.some((o) => !o.hidden)) lines.push('', optionsTable(command));
  return lines.join('\n');
}

/** Every visible flag of a command with its default and meaning. */
export function optionsTable(command: Command): string {
  const lines = ['| flag | default | meaning |', '|---|---|---|'];
  for (const o of command.options) if (!o.hidden) lines.push(`| \`${code(o.flags)}\` | ${defaultOf(o)} | ${meaningOf(o)} |`);
  return lines.join('\n');
}

function argumentLabel(a: Argument): string {
  const name = `${a.name()}${a.variadic ? '...' : ''}`;
  return a.required ? `<${name}>` : `[${name}]`;
}

function defaultOf(o: Option): string {
  if (o.defaultValueDescription) return cell(o.defaultValueDescription);
  const v: unknown = o.defaultValue;
  if (v === undefined || (Array.isArray(v) && v.length === 0)) return o.mandatory ? 'required' : '—';
  if (typeof v === 'string') return v === '' ? '`""`' : `\`${code(v)}\``;
  return `\`${code(JSON.stringify(v))}\``;
}

/** The description, then what it leaves unsaid: the choices, the environment variable, conflicts. */
function meaningOf(o: Option): string {
  const parts = [cell(o.description)];
  const choices = o.argChoices;
  if (choices && !choices.every((c) => o.description.includes(c))) parts.push(`one of ${choices.map((c) => `\`${code(c)}\``).join(', ')}`);
  if (o.envVar) parts.push(`env \`${code(o.envVar)}\``);
  // commander keeps conflicts as attribute names (`istio`), not in its typings.
  const conflicts = (o as Option & { conflictsWith?: readonly string[] }).conflictsWith ?? [];
  if (conflicts.length > 0) parts.push(`not with ${conflicts.map((n) => `\`--${n.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}\``).join(', ')}`);
  return parts.filter((p) => p !== '').join('; ');
}
