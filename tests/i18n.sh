#!/bin/bash
# i18n.sh SOCKLAB SOURCE_DIR ECHO_SERVER ECHO_CLIENT — the interface's words through
# gettext (lab/i18n.h): the committed po/socklab.pot is what the sources mark (a newly
# marked or unmarked string shows here), po/zh_CN.po is complete, --lang zh speaks
# Chinese from the build tree's catalogue (the generated sentences too: evidence,
# held segments, the step transcript; the timer's is in paced_lessons.sh, which waits
# for one), and English output does not change whatever the environment says.
set -uo pipefail
socklab=$1
src=$2
echo_server=$3
echo_client=$4
failures=0
fail() { printf 'FAIL: %s\n' "$*"; failures=$((failures + 1)); }
for tool in xgettext msgcat msgfmt; do
	command -v "$tool" >/dev/null || { echo "skipped: $tool missing (Debian package gettext)"; exit 77; }
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The template is up to date with the code.
bash "$src/tools/make-pot.sh" "$src" "$work/socklab.pot" || fail "make-pot.sh failed"
diff -u "$src/po/socklab.pot" "$work/socklab.pot" >"$work/pot.diff" ||
	fail "po/socklab.pot is stale: run tools/po-update.sh and translate; the difference:
$(cat "$work/pot.diff")"

# Every template message translated, none fuzzy, formats matching (--check).
for po in "$src"/po/*.po; do
	stats=$(LC_ALL=C msgfmt --check --statistics -o /dev/null "$po" 2>&1) || fail "msgfmt --check $po: $stats"
	grep -qE "untranslated|fuzzy" <<<"$stats" && fail "$po is not complete: $stats"
	missing=$(msgcmp "$po" "$src/po/socklab.pot" 2>&1) || fail "$po lacks messages of the template: $missing"
done

# --lang zh: the transcript's own words in Chinese, the kernel's names as it writes them.
zh=$(env -u LANGUAGE -u LC_ALL LANG=C.UTF-8 "$socklab" --lang zh run --plain 01 2>&1)
grep -q "^已运行 14/14 步，每项预期都已满足$" <<<"$zh" || fail "no Chinese summary in: $zh"
grep -q "^  然后：$" <<<"$zh" || fail "no Chinese 'then:' heading in: $zh"
grep -q "^step 6/14  client: connect(c, 127.0.0.1:65432)$" <<<"$zh" || fail "step headings changed in Chinese: $zh"
grep -q "ESTABLISHED" <<<"$zh" || fail "no ESTABLISHED as the kernel writes it: $zh"

# Sentences built at run time from the kernel's values (lab/evidence.c, resend.c, wire.c).
zh_run() { env -u LANGUAGE -u LC_ALL LANG=C.UTF-8 "$socklab" --lang zh run --plain "$@" 2>&1; }
zh=$(zh_run 12)
grep -q "^  原因: server 的 ls（fd 3，CLOSE）没有在监听：accept() 之前要先 listen()$" <<<"$zh" ||
	fail "no Chinese evidence sentence for accept()'s EINVAL in: $zh"
# Holding needs the private network namespace; without it the refusal is the held-segment text.
zh=$(zh_run 13)
grep -qE "^  resent  内核重传了 client 发出的 SYN（重传计时器，距上一份 [0-9]+ 秒）|^held: 报文段没有被扣留：" <<<"$zh" ||
	fail "no Chinese held-segment text in: $zh"

# The step transcript (lab/step.c): two programs stepped, what they printed.
zh=$(env -u LANGUAGE -u LC_ALL LANG=C.UTF-8 "$socklab" --lang zh step --plain \
	--server "$echo_server" --client "$echo_client" 2>&1)
grep -q '^client 输出了："Received Hello, world"$' <<<"$zh" || fail "no Chinese step transcript line in: $zh"
grep -qE "^共单步执行了 [0-9]+ 个调用$" <<<"$zh" || fail "no Chinese end of the step transcript in: $zh"

# English: byte for byte the same under a Chinese environment with --lang en, and under C.
# (the ephemeral ports, 32768-60999, differ from run to run)
ephemeral() { sed -E 's/:(3[2-9]|[45][0-9]|60)[0-9]{3}\b/:EPHEMERAL/g'; }
en_c=$(env -u LANGUAGE -u LC_ALL -u LC_MESSAGES LANG=C "$socklab" run --plain 05 2>&1 | ephemeral)
en_zh=$(env -u LC_ALL LANGUAGE=zh_CN LC_MESSAGES=zh_CN.UTF-8 LANG=zh_CN.UTF-8 "$socklab" --lang en run --plain 05 2>&1 |
	ephemeral)
[ -n "$en_c" ] || fail "no English transcript"
[ "$en_c" = "$en_zh" ] || fail "English changed under a Chinese environment: $(diff <(echo "$en_c") <(echo "$en_zh"))"
grep -q "steps run, every expectation met$" <<<"$en_c" || fail "no English summary: $en_c"
grep -q "^  why: " <<<"$en_c" || fail "no English why: line: $en_c"

[ "$failures" -eq 0 ] && echo "i18n: all checks passed"
exit $((failures > 0))
