// Shell completion, generated from the commander tree itself so it can never drift from the
// verbs: for every command path (aliases included) the subcommands, the flags, and what each
// positional argument is. Serials, targets and contexts are completed live through the hidden
// `iotctl __complete serial|target|context`, which prints one per line and fails silently.
import type { Command, Option } from 'commander';

/** Positional arguments, by name, whose values the hidden __complete command can list. */
export const DYNAMIC_KINDS = ['serial', 'target', 'context'] as const;

interface PathSpec {
  spellings: string[];
  subcommands: { names: string[]; description: string }[];
  flags: string[];
  args: string[];
}

interface Tree {
  paths: PathSpec[];
  valueFlags: string[];
  choices: Map<string, readonly string[]>;
}

function describeTree(program: Command): Tree {
  const help = program.createHelp();
  const globals = program.options;
  const paths: PathSpec[] = [];
  const valueFlags = new Set<string>();
  const choices = new Map<string, readonly string[]>();
  const noteOption = (option: Option) => {
    const flags = [option.short, option.long].filter((f): f is string => f !== undefined);
    if (option.required || option.optional) flags.forEach((f) => valueFlags.add(f));
    if (option.argChoices) flags.forEach((f) => choices.set(f, option.argChoices ?? []));
    return flags;
  };

  const walk = (command: Command, spellings: string[]) => {
    const subcommands = help.visibleCommands(command).filter((c) => c.name() !== 'help');
    // --version belongs to the bare `iotctl` only.
    const options =
      command === program
        ? globals
        : [...command.options, ...globals.filter((o) => o.long !== '--version')];
    paths.push({
      spellings,
      subcommands: subcommands.map((c) => ({
        names: [c.name(), ...c.aliases()],
        description: c.description(),
      })),
      flags: [...options.flatMap(noteOption), '--help'],
      // `+bash|zsh` for a fixed set of values, else the name (a DYNAMIC_KINDS one or not).
      args: command.registeredArguments.map((a) =>
        a.argChoices ? `+${a.argChoices.join('|')}` : a.name(),
      ),
    });
    for (const sub of subcommands) {
      const names = [sub.name(), ...sub.aliases()];
      walk(
        sub,
        spellings.flatMap((prefix) => names.map((n) => (prefix ? `${prefix} ${n}` : n))),
      );
    }
  };
  walk(program, ['']);
  return { paths, valueFlags: [...valueFlags].sort(), choices };
}

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

function caseArms(entries: { keys: string[]; value: string }[]): string {
  return entries
    .filter((e) => e.value !== '')
    .map((e) => `    ${e.keys.map(quote).join('|')}) echo ${quote(e.value)} ;;`)
    .join('\n');
}

/** The case tables both shells share; plain POSIX `case`, so zsh runs them unchanged. */
function dataFunctions(tree: Tree): string {
  const subs = caseArms(
    tree.paths.map((p) => ({
      keys: p.spellings,
      value: p.subcommands.flatMap((s) => s.names).join(' '),
    })),
  );
  const described = caseArms(
    tree.paths.map((p) => ({
      keys: p.spellings,
      value: p.subcommands.flatMap((s) => s.names.map((n) => `${n}:${s.description}`)).join('\n'),
    })),
  );
  const flags = caseArms(tree.paths.map((p) => ({ keys: p.spellings, value: p.flags.join(' ') })));
  const args = caseArms(tree.paths.map((p) => ({ keys: p.spellings, value: p.args.join(' ') })));
  const choices = caseArms(
    [...tree.choices].map(([flag, values]) => ({ keys: [flag], value: values.join(' ') })),
  );
  return `_iotctl_value_flags=' ${tree.valueFlags.join(' ')} '

_iotctl_subcommands() {
  case "$1" in
${subs}
  esac
}

_iotctl_described() {
  case "$1" in
${described}
  esac
}

_iotctl_flags() {
  case "$1" in
${flags}
  esac
}

_iotctl_args() {
  case "$1" in
${args}
  esac
}

_iotctl_choices() {
  case "$1" in
${choices}
  esac
}
`;
}

// Walks the words before the cursor: flags (and the values of flags that take one) are
// skipped, words naming a subcommand extend the path, anything else is a positional argument.
const WALK = (first: string, words: string, current: string) => `  local cmdpath='' npos=0 i word
  for ((i = ${first}; i < ${current}; i++)); do
    word="\${${words}[i]}"
    if [[ "$_iotctl_value_flags" == *" $word "* ]]; then
      ((i++))
      continue
    fi
    [[ "$word" == -* ]] && continue
    if ((npos == 0)) && [[ " $(_iotctl_subcommands "$cmdpath") " == *" $word "* ]]; then
      cmdpath="\${cmdpath:+$cmdpath }$word"
    else
      ((npos++))
    fi
  done`;

export function bashCompletion(program: Command): string {
  return `# bash completion for iotctl. Load it with:  source <(iotctl completion bash)
# or install it:  iotctl completion bash > ~/.local/share/bash-completion/completions/iotctl
${dataFunctions(describeTree(program))}
_iotctl_dynamic() {
  "\${COMP_WORDS[0]}" __complete "$1" 2>/dev/null
}

_iotctl() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="\${COMP_WORDS[COMP_CWORD-1]}"
${WALK('1', 'COMP_WORDS', 'COMP_CWORD')}
  COMPREPLY=()
  if [[ "$_iotctl_value_flags" == *" $prev "* ]]; then
    if [[ "$prev" == --context ]]; then
      COMPREPLY=($(compgen -W "$(_iotctl_dynamic context)" -- "$cur"))
    else
      COMPREPLY=($(compgen -W "$(_iotctl_choices "$prev")" -- "$cur"))
    fi
    return 0
  fi
  if [[ "$cur" == -* ]]; then
    COMPREPLY=($(compgen -W "$(_iotctl_flags "$cmdpath")" -- "$cur"))
    return 0
  fi
  local subs
  subs="$(_iotctl_subcommands "$cmdpath")"
  if [[ -n "$subs" ]] && ((npos == 0)); then
    COMPREPLY=($(compgen -W "$subs" -- "$cur"))
    return 0
  fi
  local -a kinds
  kinds=($(_iotctl_args "$cmdpath"))
  local kind="\${kinds[npos]}"
  case "$kind" in
    '+'*) kind="\${kind#+}"; COMPREPLY=($(compgen -W "\${kind//|/ }" -- "$cur")) ;;
    ${DYNAMIC_KINDS.join('|')}) COMPREPLY=($(compgen -W "$(_iotctl_dynamic "$kind")" -- "$cur")) ;;
  esac
  return 0
}

complete -F _iotctl iotctl
`;
}

export function zshCompletion(program: Command): string {
  return `#compdef iotctl
# zsh completion for iotctl. Load it with:  source <(iotctl completion zsh)
# or install it as _iotctl in a directory on $fpath.
${dataFunctions(describeTree(program))}
_iotctl_dynamic() {
  "\${words[1]}" __complete "$1" 2>/dev/null
}

_iotctl() {
  local cur="\${words[CURRENT]}" prev="\${words[CURRENT-1]}"
${WALK('2', 'words', 'CURRENT')}
  if [[ "$_iotctl_value_flags" == *" $prev "* ]]; then
    if [[ "$prev" == --context ]]; then
      compadd -- \${(f)"$(_iotctl_dynamic context)"}
    else
      compadd -- \${=$(_iotctl_choices "$prev")}
    fi
    return
  fi
  if [[ "$cur" == -* ]]; then
    compadd -- \${=$(_iotctl_flags "$cmdpath")}
    return
  fi
  if [[ -n "$(_iotctl_subcommands "$cmdpath")" ]] && ((npos == 0)); then
    local -a described
    described=("\${(@f)$(_iotctl_described "$cmdpath")}")
    _describe -t commands 'iotctl command' described
    return
  fi
  local -a kinds
  kinds=(\${=$(_iotctl_args "$cmdpath")})
  local kind="\${kinds[npos+1]}"
  case "$kind" in
    '+'*) kind="\${kind#+}"; compadd -- \${(s:|:)kind} ;;
    ${DYNAMIC_KINDS.join('|')}) compadd -- \${(f)"$(_iotctl_dynamic "$kind")"} ;;
  esac
}

if [[ "\${funcstack[1]}" == _iotctl ]]; then
  _iotctl "$@"
else
  compdef _iotctl iotctl
fi
`;
}
