/**
 * `meshlog completion bash|zsh|fish`: shell completion, done as cobra-based tools (kubectl,
 * istioctl) do it: the script the shell loads is small and asks `meshlog __complete WORDS...` for
 * the candidates, so that completion always matches this program: its commands and flags, flag
 * choices, resource kinds, and from the server the proxy names, resource names and contexts.
 */
import type { Command, Option } from 'commander';
import { Command as CommandClass } from 'commander';
import { kinds } from '../api/kinds.js';
import { request, type ServerFlags } from './api-client.js';
import { configPath, readClientConfig } from './client-config.js';

const scripts: Record<string, string> = {
  bash: `# meshlog completion for bash: source <(meshlog completion bash)
_meshlog() {
  local IFS=$'\\n'
  COMPREPLY=( $(compgen -W "$(meshlog __complete "\${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null)" -- "\${COMP_WORDS[COMP_CWORD]}") )
}
complete -o default -F _meshlog meshlog
`,
  zsh: `#compdef meshlog
# meshlog completion for zsh: source <(meshlog completion zsh)
_meshlog() {
  local -a candidates
  candidates=("\${(@f)$(meshlog __complete "\${(@)words[2,CURRENT]}" 2>/dev/null)}")
  if [[ -n "\${candidates[1]}" ]]; then compadd -- "\${candidates[@]}"; else _files; fi
}
compdef _meshlog meshlog
`,
  fish: `# meshlog completion for fish: meshlog completion fish | source
function __meshlog_complete
    set -l tokens (commandline -opc) (commandline -ct)
    meshlog __complete $tokens[2..-1] 2>/dev/null
end
complete -c meshlog -a '(__meshlog_complete)'
`,
};

export function completionCommand(): Command {
  return new CommandClass('completion')
    .description('Print a shell completion script: source <(meshlog completion bash), or zsh, or meshlog completion fish | source.')
    .argument('<shell>', 'bash, zsh or fish')
    .action((shell: string) => {
      const script = scripts[shell];
      if (!script) throw new Error(`completion: no script for "${shell}" (bash, zsh or fish)`);
      process.stdout.write(script);
    });
}

/** What the candidates of a positional argument come from, by the argument's name. */
export interface CompletionSources {
  proxies(flags: ServerFlags): Promise<string[]>;
  resourceNames(flags: ServerFlags, kind: string): Promise<string[]>;
  contexts(): string[];
}

export const serverSources: CompletionSources = {
  async proxies(flags) {
    const response = await request(flags, 'api/v1/proxies', { signal: AbortSignal.timeout(2000) });
    const { items } = (await response.json()) as { items: Array<{ id: string; workloadRef?: { name?: string } }> };
    return [...new Set(items.flatMap((p) => [p.workloadRef?.name, p.id]).filter((n): n is string => !!n))];
  },
  async resourceNames(flags, kind) {
    const response = await request(flags, `api/v1/resources?kind=${encodeURIComponent(kind)}`, { signal: AbortSignal.timeout(2000) });
    const { items } = (await response.json()) as { items: Array<{ name?: string; metadata?: { name?: string } }> };
    return [...new Set(items.map((i) => i.metadata?.name ?? i.name ?? '').filter(Boolean))];
  },
  contexts: () => readClientConfig(configPath()).contexts.map((c) => c.name),
};

function optionFor(command: Command, word: string): Option | undefined {
  return command.options.find((o) => o.long === word || o.short === word);
}

/**
 * The candidates for the last of `words` (the command line after `meshlog`; the last word is the
 * one being typed, possibly empty), one per line. Errors (a server that is away) give none.
 */
export async function completions(program: Command, words: readonly string[], sources: CompletionSources = serverSources): Promise<string[]> {
  let command = program;
  const positional: string[] = [];
  const flags: Record<string, string> = {};
  const done = words.slice(0, -1);
  const current = words.at(-1) ?? '';
  for (let i = 0; i < done.length; i++) {
    const word = done[i]!;
    const sub = command.commands.find((c) => c.name() === word || c.aliases().includes(word));
    if (sub && positional.length === 0) {
      command = sub;
      continue;
    }
    if (word.startsWith('-')) {
      const [name, inline] = word.split('=', 2);
      const option = optionFor(command, name!);
      if (option && (option.required || option.optional) && inline === undefined) flags[option.attributeName()] = done[++i] ?? '';
      continue;
    }
    positional.push(word);
  }
  const matching = (candidates: readonly string[]) => candidates.filter((c) => c.startsWith(current));
  const previous = done.at(-1);
  const valueOption = previous?.startsWith('-') && !previous.includes('=') ? optionFor(command, previous) : undefined;
  if (valueOption && (valueOption.required || valueOption.optional)) {
    if (valueOption.argChoices) return matching(valueOption.argChoices);
    if (valueOption.long === '--context') return matching(sources.contexts());
    return [];
  }
  if (current.startsWith('-')) return matching(command.options.flatMap((o) => (o.long ? [o.long] : [])).concat('--help'));
  const visible = command.commands.filter((c) => !c.name().startsWith('__'));
  if (visible.length > 0 && positional.length === 0) return matching(visible.map((c) => c.name()));
  const argument =
    command.registeredArguments[positional.length] ?? (command.registeredArguments.at(-1)?.variadic ? command.registeredArguments.at(-1) : undefined);
  const server: ServerFlags = { server: flags['server'], token: flags['token'], tokenFile: flags['tokenFile'], context: flags['context'] };
  try {
    switch (argument?.name()) {
      case 'kind':
        return matching(kinds.flatMap((k) => [k.kind, k.plural]));
      case 'proxy':
        return matching(await sources.proxies(server));
      case 'name':
        return positional[0] ? matching(await sources.resourceNames(server, positional[0])) : [];
      case 'shell':
        return matching(Object.keys(scripts));
      default:
        return argument?.argChoices ? matching(argument.argChoices) : [];
    }
  } catch {
    // Completion never fails loudly: a server that is away just gives no names.
    return [];
  }
}

/** The hidden command the scripts call. */
export function completeCommand(program: () => Command): Command {
  return new CommandClass('__complete')
    .description('Completion candidates for a command line (used by the completion scripts).')
    .allowUnknownOption()
    .allowExcessArguments()
    .helpOption(false)
    .action(async function (this: Command) {
      // Every word as typed, flags included: they are the command line being completed, not ours.
      const words = this.args;
      const out = await completions(program(), words.length > 0 ? words : ['']);
      if (out.length > 0) process.stdout.write(`${out.join('\n')}\n`);
    });
}
