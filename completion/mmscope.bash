# SPDX-License-Identifier: GPL-2.0
# shellcheck disable=SC2207 # compgen words have no blanks: the idiom of bash-completion
# bash completion for mmscope: subcommands, their options (read from
# `mmscope CMD --help`, so they never drift), tracer names for
# `top --tracers`, and selectors: process ids for -p/--pid/--sharers,
# command names for -c/--comm, run selectors for runs/compare/export.

_mmscope_cmds="vmalock ptmem faultlat ptshare top probe run runs compare dashboard export import"
_mmscope_tracers="vmalock faultlat ptmem ptshare"

# Long and short options of a subcommand, from its --help.
_mmscope_opts()
{
	"${COMP_WORDS[0]}" "$1" --help 2>/dev/null |
		grep -oE '(^|[ ,])(--[a-z][a-z0-9-]*|-[a-zA-Z])' | tr -d ' ,' | sort -u
}

_mmscope_pids()
{
	local p
	for p in /proc/[0-9]*; do echo "${p#/proc/}"; done
}

_mmscope()
{
	local cur prev cmd
	COMPREPLY=()
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=${COMP_WORDS[COMP_CWORD-1]}
	if [ "$COMP_CWORD" -eq 1 ]; then
		COMPREPLY=($(compgen -W "$_mmscope_cmds --help --version" -- "$cur"))
		return
	fi
	cmd=${COMP_WORDS[1]}
	case $prev in
	-p|--pid)
		COMPREPLY=($(compgen -W "$(_mmscope_pids)" -- "$cur"))
		return ;;
	--sharers)	# a comma-separated list: complete the last element
		local head=${cur%,*} last=${cur##*,}
		[ "$head" = "$cur" ] && head= || head=$head,
		COMPREPLY=($(compgen -P "$head" -W "$(_mmscope_pids)" -- "$last"))
		return ;;
	-c|--comm)
		COMPREPLY=($(compgen -W "$(cat /proc/[0-9]*/comm 2>/dev/null | sort -u)" -- "$cur"))
		return ;;
	-t|--tracers)
		local head=${cur%,*} last=${cur##*,}
		[ "$head" = "$cur" ] && head= || head=$head,
		COMPREPLY=($(compgen -P "$head" -W "$_mmscope_tracers" -- "$last"))
		return ;;
	--mode)
		COMPREPLY=($(compgen -W "auto precise tracepoint" -- "$cur"))
		return ;;
	--db|-o|--output|--out)
		COMPREPLY=($(compgen -f -- "$cur"))
		return ;;
	esac
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$(_mmscope_opts "$cmd")" -- "$cur"))
		return
	fi
	case $cmd in
	runs|compare|export)
		COMPREPLY=($(compgen -W "latest all tag: kernel: scenario: run:" -- "$cur"))
		[ ${#COMPREPLY[@]} -eq 1 ] && [[ ${COMPREPLY[0]} == *: ]] && compopt -o nospace 2>/dev/null ;;
	run|import)
		COMPREPLY=($(compgen -f -- "$cur")) ;;
	esac
}
complete -F _mmscope mmscope
