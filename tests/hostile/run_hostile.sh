#!/usr/bin/env bash
# run_hostile.sh SOCKLAB [DIR] — the hostile-input corpus (format: README.md
# beside this script): every DIR/**/NAME.expect is run through the real
# binary and its exit status, standard error and output checked.
#
# Prints one line a case, then "N passed, N failed, N skipped"; exits 1
# when any case failed.
set -u
export LC_ALL=C.UTF-8

here=$(cd "$(dirname "$0")" && pwd)
SOCKLAB=${1:?usage: run_hostile.sh PATH/TO/socklab [DIR]}
SOCKLAB=$(cd "$(dirname "$SOCKLAB")" && pwd)/$(basename "$SOCKLAB")
corpus=$(cd "${2:-$here}" && pwd)
export SOCKLAB_LESSONS="$here/../../lessons"

work=$(mktemp -d "${TMPDIR:-/tmp}/socklab-hostile.XXXXXX")
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT TERM HUP

passed=0 failed=0 skipped=0

# The input file of NAME.expect: the one sibling NAME.* that is not the
# .expect itself (none is fine).
input_of() {
	local expect=$1 stem=${1%.expect} candidate
	for candidate in "$stem".*; do
		[ "$candidate" = "$expect" ] && continue
		[ -f "$candidate" ] && { printf '%s\n' "$candidate"; return; }
	done
}

# run_case EXPECT INPUT HOST(0|1) LABEL: one run; prints why it failed on
# stdout, nothing when it passed.
run_case() {
	local expect=$1 input=$2 host=$3 dir here
	dir=$(mktemp -d "$work/case.XXXXXX")
	here=$(dirname "$expect")
	local args="" stdin=/dev/null stdout_to="" want_exit=""
	local -a want_stderr=() has=() lacks=() file_has=() file_size=() environment=()
	local key value line
	while IFS= read -r line || [ -n "$line" ]; do
		case $line in ''|'#'*) continue ;; esac
		key=${line%%:*}
		value=${line#*:}
		value=${value# }
		value=${value//\{dir\}/$dir}
		value=${value//\{here\}/$here}
		value=${value//\{\}/$input}
		case $key in
		args) args=$value ;;
		stdin) stdin=$value ;;
		stdout-to) stdout_to=$value ;;
		exit) want_exit=$value ;;
		stderr) want_stderr+=("$value") ;;
		stdout-has) has+=("$value") ;;
		stdout-lacks) lacks+=("$value") ;;
		file-has) file_has+=("$value") ;;
		file-size) file_size+=("$value") ;;
		env) environment+=("$value") ;;
		paths|skip-unless) ;;
		*) echo "unknown key '$key'"; return ;;
		esac
	done <"$expect"
	if [ -z "$args" ] || [ -z "$want_exit" ]; then
		echo "needs 'args:' and 'exit:'"
		return
	fi
	local -a argv
	mapfile -d '' argv < <(printf '%s' "$args" | xargs printf '%s\0')
	if [ "$host" = 1 ]; then
		argv=("${argv[0]}" --host "${argv[@]:1}")
	fi
	local out="$dir/.stdout" err="$dir/.stderr" code
	(
		cd "$dir" || exit 125
		export HOME="$dir" XDG_STATE_HOME="$dir/.state"
		for assignment in "${environment[@]+"${environment[@]}"}"; do
			export "${assignment?}"
		done
		ulimit -c 0
		case $stdout_to in
		'') exec timeout 60 "$SOCKLAB" "${argv[@]}" <"$stdin" >"$out" 2>"$err" ;;
		closed) exec timeout 60 "$SOCKLAB" "${argv[@]}" <"$stdin" 2>"$err" >&- ;;
		*) exec timeout 60 "$SOCKLAB" "${argv[@]}" <"$stdin" >"$stdout_to" 2>"$err" ;;
		esac
	)
	code=$?
	touch "$out"
	local problems=""
	[ "$code" = "$want_exit" ] || problems+="exit $code, want $want_exit"$'\n'
	local expected_err
	if [ ${#want_stderr[@]} -gt 0 ]; then
		expected_err=$(printf '%s\n' "${want_stderr[@]}")
	else
		expected_err=""
	fi
	if [ "$(cat "$err")" != "$expected_err" ]; then
		problems+="stderr differs (want, then got):"$'\n'
		problems+=$(diff <(printf '%s\n' "$expected_err") "$err" | sed 's/^/    /')$'\n'
	fi
	local text needle
	for text in "${has[@]+"${has[@]}"}"; do
		grep -qF -- "$text" "$out" || problems+="stdout lacks: $text"$'\n'
	done
	for text in "${lacks[@]+"${lacks[@]}"}"; do
		needle=$(printf '%b' "$text")
		if grep -qF -- "$needle" "$out" "$err"; then
			problems+="output contains: $text"$'\n'
		fi
	done
	local path rest
	for text in "${file_has[@]+"${file_has[@]}"}"; do
		path=${text%% *} rest=${text#* }
		grep -qF -- "$rest" "$path" 2>/dev/null || problems+="$path lacks: $rest"$'\n'
	done
	for text in "${file_size[@]+"${file_size[@]}"}"; do
		path=${text%% *} rest=${text#* }
		local size
		size=$(stat -c %s "$path" 2>/dev/null || echo missing)
		[ "$size" = "$rest" ] || problems+="$path has $size bytes, want $rest"$'\n'
	done
	printf '%s' "$problems"
}

while IFS= read -r expect; do
	name=${expect#"$corpus"/}
	name=${name%.expect}
	paths=$(sed -n 's/^paths: *//p' "$expect" | tail -1)
	skip_unless=$(sed -n 's/^skip-unless: *//p' "$expect" | tail -1)
	if [ -n "$skip_unless" ] && ! bash -c "$skip_unless" >/dev/null 2>&1; then
		echo "skip $name (needs: $skip_unless)"
		skipped=$((skipped + 1))
		continue
	fi
	input=$(input_of "$expect")
	case ${paths:-private} in
	private) runs=(0) ;;
	host) runs=(1) ;;
	both) runs=(0 1) ;;
	*) runs=() ; echo "FAIL $name: paths must be private, host or both" ; failed=$((failed + 1)); continue ;;
	esac
	for host in "${runs[@]}"; do
		label=$name
		[ "$host" = 1 ] && label="$name (--host)"
		problems=$(run_case "$expect" "$input" "$host")
		if [ -z "$problems" ]; then
			echo "ok   $label"
			passed=$((passed + 1))
		else
			echo "FAIL $label"
			printf '%s\n' "$problems" | sed 's/^/  /'
			failed=$((failed + 1))
		fi
	done
done < <(find "$corpus" -name '*.expect' -type f | LC_ALL=C sort)

echo "hostile: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
