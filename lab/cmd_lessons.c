/* cmd_lessons — the commands about the lessons on disk: list, check,
 * progress, and the menu. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "consent.h"
#include "fit.h"
#include "i18n.h"
#include "language.h"
#include "lesson_po.h"
#include "lessons.h"
#include "progress.h"
#include "sandbox.h"
#include "tui/tui.h"

int cmd_list(int argc, char **argv)
{
	if (argc > 1) {
		fprintf(stderr, _("socklab list: takes no argument, got '%s'\n"), argv[1]);
		return EXIT_USAGE;
	}
	size_t count;
	char **paths = lessons_list(&count);
	if (count == 0) {
		fprintf(stderr, _("socklab: no lessons found in %s\n"), lessons_dir());
		free(paths);
		return EXIT_USAGE;
	}
	/* The titles line up after the longest name. */
	int width = 0;
	for (size_t i = 0; i < count; i++) {
		int length = (int)strcspn(lessons_base_name(paths[i]), ".");
		width = length > width ? length : width;
	}
	for (size_t i = 0; i < count; i++) {
		struct diagnostics diag;
		diagnostics_init(&diag, paths[i]);
		struct lesson *lesson = lesson_load(paths[i], &diag);
		printf("%-*s  %s\n", width, lesson ? lesson->name : lessons_base_name(paths[i]),
		       lesson ? lesson->title : _("(broken: run socklab check)"));
		lesson_free(lesson);
		diagnostics_done(&diag);
	}
	lessons_free_list(paths, count);
	return EXIT_OK;
}

int cmd_check(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, _("usage: socklab check FILE...\n"));
		return EXIT_USAGE;
	}
	int code = EXIT_OK;
	for (int i = 1; i < argc; i++) {
		struct diagnostics diag;
		diagnostics_init(&diag, argv[i]);
		struct lesson *lesson = lesson_load(argv[i], &diag);
		for (size_t k = 0; k < diag.count; k++)
			fprintf(stderr, "%s\n", diag.messages[k]);
		if (!lesson)
			code = EXIT_USAGE;
		/* Valid, and worth knowing before running it: what it would start. */
		char *programs =
			lesson && consent_has_programs(lesson) && !lessons_is_shipped(argv[i])
			? consent_describe(lesson, "; ")
			: NULL;
		if (programs)
			printf(_("%s: runs programs: %s\n"), argv[i], programs);
		free(programs);
		if (lesson)
			fit_warn_lesson(stderr, lesson);   /* a warning: the lesson still runs */
		lesson_free(lesson);
		diagnostics_done(&diag);
		/* warnings: missing or stale Chinese */
		lesson_po_check(stderr, argv[i], language_current());
	}
	return code;
}

/* `socklab lesson-pot FILE...`: the lessons' texts as PO templates, the
 * files msgmerge brings lessons/zh_CN/NAME.po up to date with. */
int cmd_lesson_pot(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr,
			_("usage: socklab lesson-pot FILE...   (prints the PO template of each "
			  "lesson's texts)\n"));
		return EXIT_USAGE;
	}
	int code = EXIT_OK;
	for (int i = 1; i < argc; i++)
		if (lesson_po_print_pot(stdout, stderr, argv[i]) < 0)
			code = EXIT_USAGE;
	return code;
}

int cmd_progress(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "--reset") == 0) {
		char *err = NULL;
		if (progress_reset(NULL, &err) < 0) {
			fprintf(stderr, "socklab: %s\n", err ? err : _("out of memory"));
			free(err);
			return EXIT_USAGE;
		}
		printf(_("progress cleared\n"));
		return EXIT_OK;
	}
	if (argc != 1) {
		fprintf(stderr, _("usage: socklab progress [--reset]\n"));
		return EXIT_USAGE;
	}
	size_t count;
	char **paths = lessons_list(&count);
	struct progress_lesson *lessons = calloc(count ? count : 1, sizeof *lessons);
	struct lesson **loaded = calloc(count ? count : 1, sizeof *loaded);
	size_t known = 0;
	for (size_t i = 0; lessons && loaded && i < count; i++) {
		struct diagnostics diag;
		diagnostics_init(&diag, paths[i]);
		loaded[i] = lesson_load(paths[i], &diag);
		diagnostics_done(&diag);
		if (loaded[i]) {
			lessons[known].name = loaded[i]->name;
			lessons[known].total_steps = loaded[i]->step_count;
			known++;
		}
	}
	struct progress *progress = cli_load_progress();
	progress_print(stdout, progress, lessons, known);
	progress_free(progress);
	for (size_t i = 0; loaded && i < count; i++)
		lesson_free(loaded[i]);
	free(loaded);
	free(lessons);
	lessons_free_list(paths, count);
	return EXIT_OK;
}

int cmd_menu(void)
{
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		fprintf(stderr, _("socklab: the lesson menu needs a terminal; the lessons are:\n"));
		cmd_list(0, NULL);
		return EXIT_USAGE;
	}
	size_t count;
	char **paths = lessons_list(&count);
	if (count == 0) {
		fprintf(stderr, _("socklab: no lessons found in %s\n"), lessons_dir());
		free(paths);
		return EXIT_USAGE;
	}
	char *err = NULL;
	struct sandbox sandbox;
	cli_pin_to_current_cpu();
	if (cli_enter_sandbox(&sandbox, false, &err) < 0) {
		fprintf(stderr, "socklab: %s\n", err);
		free(err);
		lessons_free_list(paths, count);
		return EXIT_USAGE;
	}
	struct tui_options tui = { .color = getenv("NO_COLOR") == NULL,
				   .menu_shipped = lessons_is_shipped(paths[0]) };
	cli_output_for_curses();
	int code = tui_run(NULL, paths, count, &sandbox, &tui);
	sandbox_done(&sandbox);
	lessons_free_list(paths, count);
	return code;
}

