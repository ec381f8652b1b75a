/* Tests of lesson_po: a lesson's texts from zh_CN/NAME.po beside it (used
 * only when current and not fuzzy), the warnings `socklab check` prints,
 * the template `socklab lesson-pot` writes (its msgids are what the loader
 * matches), and lesson 01 in Chinese, run by the real binary. */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fit.h"
#include "lesson.h"
#include "lesson_po.h"
#include "po.h"

static const char lesson_text[] =
	"title: Tiny\n"
	"sides: server\n"
	"intro:\n"
	"  Two lines\n"
	"  of intro.\n"
	"\n"
	"step server: s = socket(AF_INET, SOCK_STREAM)\n"
	"  expect: fd\n"
	"  python: s = socket.socket()\n"
	"  say: A new socket.\n"
	"\n"
	"step server: close(s)\n"
	"  expect: 0\n"
	"  say:\n"
	"    The English\n"
	"    changed here.\n";

static char dir[64];

/* A lesson file "tiny.lesson" in a fresh directory, and its zh_CN/tiny.po. */
static struct lesson *tiny_lesson(const char *po_text)
{
	snprintf(dir, sizeof dir, "/tmp/socklab-po-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	char path[128];
	snprintf(path, sizeof path, "%s/tiny.lesson", dir);
	FILE *file = fopen(path, "w");
	cr_assert_not_null(file);
	fputs(lesson_text, file);
	fclose(file);
	if (po_text) {
		snprintf(path, sizeof path, "%s/zh_CN", dir);
		cr_assert_eq(mkdir(path, 0700), 0);
		snprintf(path, sizeof path, "%s/zh_CN/tiny.po", dir);
		file = fopen(path, "w");
		cr_assert_not_null(file);
		fputs(po_text, file);
		fclose(file);
	}
	snprintf(path, sizeof path, "%s/tiny.lesson", dir);
	struct diagnostics diag;
	diagnostics_init(&diag, path);
	struct lesson *lesson = lesson_load_source(path, &diag);
	cr_assert_not_null(lesson, "%s", diag.count ? diag.messages[0] : "");
	diagnostics_done(&diag);
	return lesson;
}

static void remove_tiny(void)
{
	char command[128];
	snprintf(command, sizeof command, "rm -rf '%s'", dir);
	cr_expect_eq(system(command), 0);
}

static const char tiny_po[] =
	"msgid \"\"\nmsgstr \"Content-Type: text/plain; charset=UTF-8\\n\"\n\n"
	"msgctxt \"tiny:title\"\nmsgid \"Tiny\"\nmsgstr \"小课\"\n\n"
	"msgctxt \"tiny:intro\"\nmsgid \"\"\n\"Two lines\\n\"\n\"of intro.\"\nmsgstr "
	"\"\"\n\"两行\"\n\"引言。\"\n\n"
	"#, fuzzy\nmsgctxt \"tiny:step 1:say\"\nmsgid \"A new socket.\"\nmsgstr \"可疑的译文\"\n\n"
	"msgctxt \"tiny:step 2:say\"\nmsgid \"\"\n\"The English\\n\"\n\"as it was.\"\nmsgstr "
	"\"旧英文的译文\"\n\n"
	"msgctxt \"tiny:step 7:say\"\nmsgid \"Gone.\"\nmsgstr \"不在了\"\n\n"
	"#~ msgctxt \"tiny:step 3:say\"\n#~ msgid \"Old.\"\n#~ msgstr \"旧\"\n";

Test(lesson_po, puts_in_current_translations_and_keeps_english_for_the_rest)
{
	struct lesson *lesson = tiny_lesson(tiny_po);
	cr_assert_eq(lesson_translate(lesson, LANGUAGE_ZH, NULL, NULL), 0);
	cr_expect_str_eq(lesson->title, "小课");
	cr_expect_str_eq(lesson->intro, "两行引言。", "a string continued over lines, joined");
	cr_expect_str_eq(lesson->steps[0].say, "A new socket.", "a fuzzy translation is not used");
	cr_expect_str_eq(lesson->steps[1].say, "The English\nchanged here.",
			 "nor one of an older English");
	/* Calls and Python lines never change. */
	cr_expect_str_eq(lesson->steps[0].python, "s = socket.socket()");
	cr_expect_str_eq(lesson->steps[1].call.text, "close(s)");
	lesson_free(lesson);
	remove_tiny();
}

Test(lesson_po, english_and_a_lesson_without_a_po_file_stay_as_written)
{
	struct lesson *lesson = tiny_lesson(tiny_po);
	cr_expect_eq(lesson_translate(lesson, LANGUAGE_EN, NULL, NULL), 0);
	cr_expect_str_eq(lesson->title, "Tiny");
	lesson_free(lesson);
	remove_tiny();
	lesson = tiny_lesson(NULL);
	cr_expect_eq(lesson_translate(lesson, LANGUAGE_ZH, NULL, NULL), 1);
	cr_expect_str_eq(lesson->title, "Tiny");
	lesson_free(lesson);
	remove_tiny();
}

Test(lesson_po, warns_of_each_missing_or_stale_text_with_its_line)
{
	struct lesson *lesson = tiny_lesson(tiny_po);
	struct diagnostics warnings;
	diagnostics_init(&warnings, lesson->path);
	cr_assert_eq(lesson_translate(lesson, LANGUAGE_ZH, NULL, &warnings), 0);
	char expected[4][256];
	snprintf(expected[0], 256,
		 "%s:10:1: the Chinese text for say: (step 1) is stale (fuzzy): see "
		 "%s/zh_CN/tiny.po:17",
		 lesson->path, dir);
	snprintf(expected[1], 256,
		 "%s:14:1: the Chinese text for say: (step 2) is stale (its msgid is not the "
		 "English any more): see %s/zh_CN/tiny.po:21",
		 lesson->path, dir);
	snprintf(expected[2], 256,
		 "%s: %s/zh_CN/tiny.po:27: translates 'tiny:step 7:say', which the lesson does "
		 "not have",
		 lesson->path, dir);
	cr_assert_eq(warnings.count, 3, "%s",
		     warnings.count ? warnings.messages[warnings.count - 1] : "");
	for (size_t i = 0; i < 3; i++)
		cr_expect_str_eq(warnings.messages[i], expected[i]);
	diagnostics_done(&warnings);
	lesson_free(lesson);
	remove_tiny();
}

Test(lesson_po, warns_of_a_text_with_no_entry_or_an_empty_one)
{
	struct lesson *lesson =
		tiny_lesson("msgctxt \"tiny:title\"\nmsgid \"Tiny\"\nmsgstr \"\"\n");
	struct diagnostics warnings;
	diagnostics_init(&warnings, "tiny.lesson");
	cr_assert_eq(lesson_translate(lesson, LANGUAGE_ZH, NULL, &warnings), 0);
	cr_assert_eq(warnings.count, 4);
	cr_expect_str_eq(warnings.messages[0], "tiny.lesson:1:1: no Chinese text for title:");
	cr_expect_str_eq(warnings.messages[1], "tiny.lesson:3:1: no Chinese text for intro:");
	cr_expect_str_eq(warnings.messages[2],
			 "tiny.lesson:10:1: no Chinese text for say: (step 1)");
	cr_expect_str_eq(warnings.messages[3],
			 "tiny.lesson:14:1: no Chinese text for say: (step 2)");
	diagnostics_done(&warnings);
	lesson_free(lesson);
	remove_tiny();
}

Test(lesson_po, a_broken_po_file_is_one_warning_with_its_line)
{
	struct lesson *lesson = tiny_lesson("msgctxt \"tiny:title\"\nmsgid \"Tiny\nmsgstr \"\"\n");
	struct diagnostics warnings;
	diagnostics_init(&warnings, "tiny.lesson");
	cr_expect_eq(lesson_translate(lesson, LANGUAGE_ZH, NULL, &warnings), -1);
	cr_assert_eq(warnings.count, 1);
	cr_expect(strstr(warnings.messages[0],
			 "/zh_CN/tiny.po:2: a string without its closing quote"),
		  "%s", warnings.messages[0]);
	cr_expect_str_eq(lesson->title, "Tiny");
	diagnostics_done(&warnings);
	lesson_free(lesson);
	remove_tiny();
}

/* Every shipped lesson: its template, each msgstr filled with a mark of
 * its context, read back by the loader, changes every text of the lesson. */
Test(lesson_po, the_template_of_every_shipped_lesson_is_what_the_loader_matches)
{
	FILE *list = popen("cd " SOURCE_DIR " && ls lessons | grep '[.]lesson$'", "r");
	cr_assert_not_null(list);
	char name[256], path[512];
	int lessons = 0;
	while (fgets(name, sizeof name, list)) {
		name[strcspn(name, "\n")] = '\0';
		snprintf(path, sizeof path, SOURCE_DIR "/lessons/%s", name);
		struct diagnostics diag;
		diagnostics_init(&diag, path);
		struct lesson *lesson = lesson_load_source(path, &diag);
		cr_assert_not_null(lesson, "%s", path);
		char *pot = NULL;
		size_t size = 0;
		FILE *out = open_memstream(&pot, &size);
		lesson_po_write_pot(out, lesson);
		fclose(out);
		struct po_file po;
		char *err = NULL;
		cr_assert_eq(po_parse("t.pot", pot, size, &po, &err), 0, "%s: %s", path, err);
		char po_dir[] = "/tmp/socklab-pot-XXXXXX";
		cr_assert_not_null(mkdtemp(po_dir));
		char po_path[128];
		snprintf(po_path, sizeof po_path, "%s/%s.po", po_dir, lesson->name);
		FILE *filled = fopen(po_path, "w");
		cr_assert_not_null(filled);
		size_t texts = 0;
		for (size_t i = 0; i < po.count; i++) {
			if (!po.entries[i].context)
				continue;
			po_write_string(filled, "msgctxt", po.entries[i].context);
			po_write_string(filled, "msgid", po.entries[i].id);
			char mark[96];
			snprintf(mark, sizeof mark, "译 %s", po.entries[i].context);
			po_write_string(filled, "msgstr", mark);
			fputc('\n', filled);
			texts++;
		}
		fclose(filled);
		struct diagnostics warnings;
		diagnostics_init(&warnings, path);
		cr_expect_eq(lesson_translate(lesson, LANGUAGE_ZH, po_dir, &warnings), 0);
		cr_expect_eq(warnings.count, 0, "%s: %s", path,
			     warnings.count ? warnings.messages[0] : "");
		char expected[96];
		snprintf(expected, sizeof expected, "译 %s:title", lesson->name);
		cr_expect_str_eq(lesson->title, expected);
		size_t says = 1 + (lesson->intro != NULL);
		for (size_t i = 0; i < lesson->step_count; i++) {
			const struct lesson_step *step = &lesson->steps[i];
			if (step->say) {
				snprintf(expected, sizeof expected, "译 %s:step %zu:say",
					 lesson->name, i + 1);
				cr_expect_str_eq(step->say, expected);
				says++;
			}
			if (step->then_say) {
				snprintf(expected, sizeof expected, "译 %s:step %zu:then-say",
					 lesson->name, i + 1);
				cr_expect_str_eq(step->then_say, expected);
				says++;
			}
		}
		cr_expect_eq(says, texts, "%s: one entry per text", path);
		diagnostics_done(&warnings);
		diagnostics_done(&diag);
		po_file_done(&po);
		free(pot);
		unlink(po_path);
		rmdir(po_dir);
		lesson_free(lesson);
		lessons++;
	}
	pclose(list);
	cr_expect_gt(lessons, 20);
}

/* Each lesson with a Chinese translation: complete, current, and every
 * text fits the 80x24 explanation area counted in display columns. */
Test(lesson_po, every_shipped_translation_is_complete_and_fits)
{
	FILE *list = popen("cd " SOURCE_DIR "/lessons/zh_CN && ls *.po", "r");
	cr_assert_not_null(list);
	char name[256];
	int translated = 0;
	while (fgets(name, sizeof name, list)) {
		name[strcspn(name, "\n")] = '\0';
		char path[512];
		snprintf(path, sizeof path, SOURCE_DIR "/lessons/%.*s.lesson",
			 (int)(strlen(name) - 3), name);
		struct diagnostics diag, warnings;
		diagnostics_init(&diag, path);
		diagnostics_init(&warnings, path);
		struct lesson *lesson = lesson_load_source(path, &diag);
		cr_assert_not_null(lesson, "%s: a translation of no lesson", name);
		cr_expect_eq(lesson_translate(lesson, LANGUAGE_ZH, NULL, &warnings), 0);
		for (size_t i = 0; i < warnings.count; i++)
			cr_expect_fail("%s", warnings.messages[i]);
		char *said = NULL;
		size_t size = 0;
		FILE *out = open_memstream(&said, &size);
		cr_expect_eq(fit_warn_lesson(out, lesson), 0);
		fclose(out);
		cr_expect_str_eq(said, "", "%s", name);
		free(said);
		diagnostics_done(&warnings);
		diagnostics_done(&diag);
		lesson_free(lesson);
		translated++;
	}
	pclose(list);
	cr_expect_geq(translated, 1, "lesson 01 at least");
}

/* Runs a shell command; its stdout and stderr together. */
static char *output_of(const char *command, int *status)
{
	FILE *pipe = popen(command, "r");
	cr_assert_not_null(pipe);
	char *text = NULL;
	size_t size = 0;
	FILE *out = open_memstream(&text, &size);
	char buffer[4096];
	size_t got;
	while ((got = fread(buffer, 1, sizeof buffer, pipe)) > 0)
		fwrite(buffer, 1, got, out);
	fclose(out);
	*status = pclose(pipe);
	return text;
}

Test(lesson_po, run_plain_lang_zh_explains_lesson_01_in_chinese_with_the_kernels_names,
     .timeout = 60)
{
	int status;
	char *out = output_of("env -u LANGUAGE -u LC_ALL LANG=C.UTF-8 " SOCKLAB_BINARY
			      " run --plain --lang zh 01 2>&1",
			      &status);
	cr_expect_eq(status, 0, "%s", out);
	const char *const expected[] = {
		"socklab 01-echo: 回显服务器与客户端，一次一个调用\n",
		/* the explanations, wrapped, kernel names as the kernel writes them */
		"  accept() 从 accept 队列里取出一个连接。",
		"两端都进入 ESTABLISHED。",
		"SYN-ACK",
		"在 FIN-WAIT-2 中等待",
		"进入 TIME-WAIT",
		"（sysctl net.ipv4.ip_local_port_range）",
		/* what the kernel said stays as it is */
		"step 3/14  server: listen(ls, 5)\n  = 0\n",
		"  python：s.listen(5)\n",
	};
	for (size_t i = 0; i < sizeof expected / sizeof expected[0]; i++)
		cr_expect(strstr(out, expected[i]) != NULL, "no '%s' in:\n%s", expected[i], out);
	cr_expect(strstr(out, "listen() turns the socket") == NULL, "no English explanation left");
	/* --lang before the command, and the environment, say the same. */
	char *global = output_of("env -u LANGUAGE -u LC_ALL LANG=C.UTF-8 " SOCKLAB_BINARY
				 " --lang zh list 2>&1",
				 &status);
	cr_expect(strstr(global, "  回显服务器与客户端，一次一个调用\n") != NULL, "%s", global);
	char *environment =
		output_of("env -u LANGUAGE -u LC_ALL LANG=zh_CN.UTF-8 " SOCKLAB_BINARY " list 2>&1",
			  &status);
	cr_expect_str_eq(environment, global);
	free(environment);
	free(global);
	free(out);
}

Test(lesson_po, chinese_without_a_utf8_locale_is_one_line_and_english)
{
	int status;
	char *out = output_of("env -u LANGUAGE -u LC_ALL -u LC_CTYPE LANG=C " SOCKLAB_BINARY
			      " --lang zh list 2>&1",
			      &status);
	cr_expect_eq(status, 0);
	const char refusal[] =
		"socklab: Chinese needs a UTF-8 locale (LANG=zh_CN.UTF-8); using English\n";
	cr_expect(strncmp(out, refusal, strlen(refusal)) == 0, "%s", out);
	cr_expect(strstr(out + 1, "UTF-8 locale") == strstr(out, "UTF-8 locale"), "one line: %s",
		  out);
	cr_expect(strstr(out, "The echo pair, one call at a time") != NULL, "%s", out);
	free(out);
	out = output_of(SOCKLAB_BINARY " list --lang fr 2>&1", &status);
	cr_expect_eq(WEXITSTATUS(status), 2);
	cr_expect_str_eq(out,
			 "socklab: --lang fr: socklab speaks zh (Simplified Chinese) and en\n");
	free(out);
}

Test(lesson_po, check_warns_of_a_missing_or_stale_chinese_text)
{
	struct lesson *lesson = tiny_lesson(tiny_po);
	char command[512];
	snprintf(command, sizeof command, "env -u LANGUAGE -u LC_ALL LANG=C.UTF-8 %s check %s 2>&1",
		 SOCKLAB_BINARY, lesson->path);
	int status;
	char *out = output_of(command, &status);
	cr_expect_eq(status, 0, "warnings only: %s", out);
	cr_expect(strstr(out,
			 "tiny.lesson:10:1: the Chinese text for say: (step 1) is stale (fuzzy)")
			  != NULL,
		  "%s", out);
	cr_expect(strstr(out,
			 "tiny.lesson:14:1: the Chinese text for say: (step 2) is stale") != NULL,
		  "%s", out);
	free(out);
	lesson_free(lesson);
	remove_tiny();
	/* Without a PO file: silent, unless Chinese is asked for. */
	lesson = tiny_lesson(NULL);
	snprintf(command, sizeof command, "%s check %s 2>&1", SOCKLAB_BINARY, lesson->path);
	out = output_of(command, &status);
	cr_expect_str_eq(out, "");
	free(out);
	snprintf(command, sizeof command, "env LANG=C.UTF-8 %s check --lang zh %s 2>&1",
		 SOCKLAB_BINARY, lesson->path);
	out = output_of(command, &status);
	char expected[256];
	/* Asked for in Chinese, said in Chinese: a whole sentence of po/zh_CN.po. */
	snprintf(expected, sizeof expected, "%s：警告：没有中文译文（旁边没有 zh_CN/tiny.po）\n",
		 lesson->path);
	cr_expect_str_eq(out, expected);
	free(out);
	lesson_free(lesson);
	remove_tiny();
}

/* The kernel's answers do not depend on the language: each step and what
 * its call returned (the value, the errno, the bytes; the words around them
 * are translated) read the same in a terse run in Chinese as in English. */
Test(lesson_po, a_terse_run_in_chinese_has_the_same_results_as_in_english, .timeout = 120)
{
	const char *const lessons[] = { "01", "02", "09" };
	for (size_t i = 0; i < sizeof lessons / sizeof lessons[0]; i++) {
		char command[512];
		int status_en, status_zh;
		snprintf(command, sizeof command,
			 "env -u LANGUAGE -u LC_ALL LANG=C.UTF-8 %s run --terse %s | grep -oE "
			 "'^(step .*|  = -?[0-9]+( E[A-Z0-9]+)?( \"[^\"]*\")?|  \\.\\.\\. .*)'",
			 SOCKLAB_BINARY, lessons[i]);
		char *english = output_of(command, &status_en);
		snprintf(
			command, sizeof command,
			"env -u LANGUAGE -u LC_ALL LANG=C.UTF-8 %s --lang zh run --terse %s | grep "
			"-oE '^(step .*|  = -?[0-9]+( E[A-Z0-9]+)?( \"[^\"]*\")?|  \\.\\.\\. .*)'",
			SOCKLAB_BINARY, lessons[i]);
		char *chinese = output_of(command, &status_zh);
		cr_expect_eq(status_en, 0, "lesson %s", lessons[i]);
		cr_expect_eq(status_zh, 0, "lesson %s", lessons[i]);
		cr_expect_gt(strlen(english), 100, "lesson %s: %s", lessons[i], english);
		cr_expect_str_eq(chinese, english, "lesson %s", lessons[i]);
		free(english);
		free(chinese);
	}
}

/* The maintenance loop of lessons/README.md: the English of a step changes,
 * tools/lesson-po.sh (lesson-pot, then msgmerge) marks its translation
 * fuzzy, the loader shows the English, and check says so. */
Test(lesson_po, a_changed_english_sentence_makes_its_translation_stale_through_msgmerge,
     .timeout = 60)
{
	if (system("command -v msgmerge >/dev/null") != 0)
		cr_skip_test("msgmerge is not installed (Debian: gettext)");
	char work[] = "/tmp/socklab-msgmerge-XXXXXX";
	cr_assert_not_null(mkdtemp(work));
	char command[2048];
	/* A copy of lesson 01 and its translation, step 2's English changed. */
	snprintf(command, sizeof command,
		 "mkdir -p %s/lessons/zh_CN && cp %s/lessons/zh_CN/01-echo.po %s/lessons/zh_CN/ && "
		 "sed 's/programs on this machine can reach it./programs on this host can reach "
		 "it./' %s/lessons/01-echo.lesson > %s/lessons/01-echo.lesson && cd %s && %s "
		 "lesson-pot lessons/01-echo.lesson > 01-echo.pot && msgmerge --quiet --update "
		 "--backup=none lessons/zh_CN/01-echo.po 01-echo.pot",
		 work, SOURCE_DIR, work, SOURCE_DIR, work, work, SOCKLAB_BINARY);
	cr_assert_eq(system(command), 0, "%s", command);
	snprintf(command, sizeof command, "grep -c '^#, fuzzy' %s/lessons/zh_CN/01-echo.po", work);
	int status;
	char *fuzzy = output_of(command, &status);
	cr_expect_str_eq(fuzzy, "1\n", "msgmerge marks the one changed text fuzzy");
	free(fuzzy);
	snprintf(command, sizeof command,
		 "env LANG=C.UTF-8 %s check --lang zh %s/lessons/01-echo.lesson 2>&1",
		 SOCKLAB_BINARY, work);
	char *said = output_of(command, &status);
	cr_expect(strstr(said,
			 "01-echo.lesson:24:1: say:（第 2 步）的中文文本已过时（模糊）") != NULL,
		  "%s", said);
	free(said);
	snprintf(command, sizeof command,
		 "env LANG=C.UTF-8 %s --lang zh run --plain %s/lessons/01-echo.lesson 2>&1",
		 SOCKLAB_BINARY, work);
	char *run = output_of(command, &status);
	cr_expect(strstr(run, "programs on this host can reach it.") != NULL,
		  "the English shows: %s", run);
	cr_expect(strstr(run, "只有本机上的程序") == NULL, "not the stale Chinese");
	cr_expect(strstr(run, "listen() 把这个套接字变成监听套接字") != NULL,
		  "the other steps stay Chinese");
	free(run);
	snprintf(command, sizeof command, "rm -rf '%s'", work);
	cr_expect_eq(system(command), 0);
}
