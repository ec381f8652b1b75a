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
# The ephemeral ports, 32768-60999, differ from run to run.
ephemeral() { sed -E 's/:(3[2-9]|[45][0-9]|60)[0-9]{3}\b/:EPHEMERAL/g'; }
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
# The socket table: its header in Chinese, padded by display columns so each word heads its column
# (a CJK character takes two), and the kernel's note on a socket (lab/model.c) in Chinese.
header="    端      fd       本端                     对端                     状态         recv-q send-q  说明"
grep -qxF "$header" <<<"$zh" || fail "no Chinese socket table header, aligned, in: $zh"
grep -q "^  \* server  ls=3     127.0.0.1:65432 .* CLOSE .* 仅绑定：未监听，未连接$" <<<"$zh" ||
	fail "no Chinese socket note in: $zh"
grep -qE "^沙箱：(私有网络命名空间|主机网络 \(.*\)；课程端口已映射)" <<<"$zh" ||
	fail "no Chinese sandbox: line, its description in Chinese, in: $zh"
grep -q "^  python：s.listen(5)$" <<<"$zh" || fail "no Chinese python: label in: $zh"

# Sentences built at run time from the kernel's values (lab/evidence.c, resend.c, wire.c).
zh_run() { env -u LANGUAGE -u LC_ALL LANG=C.UTF-8 "$socklab" --lang zh run --plain "$@" 2>&1; }
zh=$(zh_run 12)
grep -q "^  原因: server 的 ls（fd 3，CLOSE）没有在监听：accept() 之前要先 listen()$" <<<"$zh" ||
	fail "no Chinese evidence sentence for accept()'s EINVAL in: $zh"
# Holding needs the private network namespace; without it the refusal is the held-segment text.
zh=$(zh_run 13)
grep -qE "^  重传  内核重传了 client 发出的 SYN（重传计时器，距上一份 [0-9]+ 秒）|^扣留：报文段没有被扣留：" <<<"$zh" ||
	fail "no Chinese held-segment text in: $zh"

# The step transcript (lab/step.c): two programs stepped, what they printed.
zh=$(env -u LANGUAGE -u LC_ALL LANG=C.UTF-8 "$socklab" --lang zh step --plain \
	--server "$echo_server" --client "$echo_client" 2>&1)
grep -q '^client 输出了："Received Hello, world"$' <<<"$zh" || fail "no Chinese step transcript line in: $zh"
grep -qE "^共单步执行了 [0-9]+ 个调用$" <<<"$zh" || fail "no Chinese end of the step transcript in: $zh"
# A call's aside (lab/observe.c), said at display: a forking server's fork and its parent's close.
forking_server=$(dirname "$echo_server")/tracer_forking_server
zh=$(env -u LANGUAGE -u LC_ALL LANG=C.UTF-8 "$socklab" --lang zh step --plain \
	--server "$forking_server" --client "$echo_client" 2>&1)
grep -q "^  注: 子进程持有父进程每个 fd 的副本：每个套接字现在都有两个持有者$" <<<"$zh" ||
	fail "no Chinese aside for fork() in: $zh"
grep -q "^  注: 另一个进程仍持有它：不发 FIN，连接保持打开$" <<<"$zh" ||
	fail "no Chinese aside for close() with another holder in: $zh"

# socklab progress: its words in Chinese, the status padded by display columns.
env -u LANGUAGE -u LC_ALL LANG=C.UTF-8 XDG_STATE_HOME="$work/state" "$socklab" --lang zh run --plain 01 \
	>/dev/null 2>&1
zh=$(env -u LANGUAGE -u LC_ALL LANG=C.UTF-8 XDG_STATE_HOME="$work/state" "$socklab" --lang zh progress 2>&1)
grep -qx "01-echo  *14/14 步  完成         预测 -" <<<"$zh" || fail "no Chinese progress line for 01 in: $zh"
grep -qx "02-socket  *0/[0-9]* 步  未开始" <<<"$zh" || fail "no Chinese 'not started' line in: $zh"

# A trace keeps the model's English whatever the language shown (lab/trace.c reads notes back
# by their text): recorded with --lang zh, its notes and held/resent texts are the English run's
# (the lesson's title is the lesson's translation: not the model's words).
trace_texts() { grep -oE '"(note|held|resent)":"[^"]*"' "$1" | ephemeral; }
for lesson in 01 13; do
	env -u LANGUAGE -u LC_ALL LANG=C.UTF-8 "$socklab" run --plain --trace "$work/en-$lesson.trace" "$lesson" >/dev/null 2>&1
	env -u LANGUAGE -u LC_ALL LANG=C.UTF-8 "$socklab" --lang zh run --plain --trace "$work/zh-$lesson.trace" "$lesson" \
		>/dev/null 2>&1
	grep -q '"note":"' "$work/en-$lesson.trace" || fail "lesson $lesson: no note in the English trace"
	! trace_texts "$work/zh-$lesson.trace" | LC_ALL=C.UTF-8 grep -P '[\x{3000}-\x{9fff}\x{ff00}-\x{ffef}]' ||
		fail "lesson $lesson: Chinese in the notes or held texts of the trace written with --lang zh"
	[ "$(trace_texts "$work/en-$lesson.trace")" = "$(trace_texts "$work/zh-$lesson.trace")" ] ||
		fail "lesson $lesson: the trace's notes or held texts depend on the language: $(diff <(trace_texts "$work/en-$lesson.trace") <(trace_texts "$work/zh-$lesson.trace"))"
done

# English: byte for byte the same under a Chinese environment with --lang en, and under C.
en_c=$(env -u LANGUAGE -u LC_ALL -u LC_MESSAGES LANG=C "$socklab" run --plain 05 2>&1 | ephemeral)
en_zh=$(env -u LC_ALL LANGUAGE=zh_CN LC_MESSAGES=zh_CN.UTF-8 LANG=zh_CN.UTF-8 "$socklab" --lang en run --plain 05 2>&1 |
	ephemeral)
[ -n "$en_c" ] || fail "no English transcript"
[ "$en_c" = "$en_zh" ] || fail "English changed under a Chinese environment: $(diff <(echo "$en_c") <(echo "$en_zh"))"
grep -q "steps run, every expectation met$" <<<"$en_c" || fail "no English summary: $en_c"
grep -q "^  why: " <<<"$en_c" || fail "no English why: line: $en_c"

# Expectations the kernel does not meet: said in Chinese on screen, in
# English in the trace (a trace reads the same whatever language made it).
sed -e 's/  expect: 0, server ls LISTEN rq 0 wq 5/  expect: 0, server ls ESTABLISHED rq 0 wq 5/' \
	-e '0,/  expect: blocks/s//  expect: 7/' "$src/lessons/01-echo.lesson" >"$work/99-unmet.lesson"
zh=$(zh_run --trace "$work/unmet.trace" "$work/99-unmet.lesson")
grep -q "^  未满足 .*99-unmet.lesson:28: 预期 server ls ESTABLISHED rq 0 wq 5，内核显示 LISTEN rq 0 wq 5$" \
	<<<"$zh" || fail "no Chinese unmet state expectation in: $zh"
grep -q "^  未满足 .*99-unmet.lesson:36: 预期 7，内核显示 调用阻塞了$" <<<"$zh" ||
	fail "no Chinese unmet return expectation in: $zh"
grep -q '"failures":\[".*99-unmet.lesson:36: expected 7, kernel says the call blocked"\]' \
	"$work/unmet.trace" || fail "the trace's failure is not the English one: $(grep failures "$work/unmet.trace")"
grep -q '预期' "$work/unmet.trace" && fail "Chinese in the trace: $(grep failures "$work/unmet.trace")"

[ "$failures" -eq 0 ] && echo "i18n: all checks passed"
exit $((failures > 0))
