/* cmd_programs — free play and stepping programs: play and step. */
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "lessons.h"
#include "play.h"
#include "sandbox.h"
#include "step.h"
#include "tui/tui.h"

int cmd_play(int argc, char **argv)
{
	bool plain = false, force_host = false;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--plain") == 0) {
			plain = true;
		} else if (strcmp(argv[i], "--host") == 0) {
			force_host = true;
		} else {
			fprintf(stderr, "usage: socklab play [--plain] [--host]\n");
			return EXIT_USAGE;
		}
	}
	if (!plain && (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)))
		plain = true;   /* calls from a pipe or a script: the transcript serves them */
	char *err = NULL;
	struct sandbox sandbox;
	cli_pin_to_current_cpu();
	if (sandbox_enter(&sandbox, force_host, &err) < 0) {
		fprintf(stderr, "socklab: %s\n", err);
		free(err);
		return EXIT_USAGE;
	}
	int code;
	if (!plain) {
		struct tui_options tui = { .color = getenv("NO_COLOR") == NULL };
		cli_output_for_curses();
		code = tui_play(&sandbox, &tui);
	} else {
		cli_catch_stop_signals();
		code = play_plain(stdin, stdout, &sandbox, &cli_stop_signal);
	}
	sandbox_done(&sandbox);
	return cli_exit_for_signal(code);
}

int cmd_step(int argc, char **argv)
{
	static const char usage[] = "usage: socklab step [--plain] [--host] [--big] --server 'COMMAND' --client 'COMMAND'\n";
	const char *server = NULL, *client = NULL;
	bool force_host = false, plain = false, big = false;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--server") == 0 && i + 1 < argc)
			server = argv[++i];
		else if (strcmp(argv[i], "--client") == 0 && i + 1 < argc)
			client = argv[++i];
		else if (strcmp(argv[i], "--host") == 0)
			force_host = true;
		else if (strcmp(argv[i], "--plain") == 0)
			plain = true;
		else if (strcmp(argv[i], "--big") == 0)
			big = true;
		else {
			fputs(usage, stderr);
			return EXIT_USAGE;
		}
	}
	if (!server || !client) {
		fprintf(stderr, "socklab step: which program is the %s? (%s 'COMMAND')\n", server ? "client" : "server",
			server ? "--client" : "--server");
		fputs(usage, stderr);
		return EXIT_USAGE;
	}
	if (!plain && (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)))
		plain = true;   /* from a pipe or a script: the transcript serves them */
	char examples[PATH_MAX];
	lessons_examples_dir(examples, sizeof examples);
	char *err = NULL;
	struct sandbox sandbox;
	cli_pin_to_current_cpu();
	if (sandbox_enter(&sandbox, force_host, &err) < 0) {
		fprintf(stderr, "socklab: %s\n", err);
		free(err);
		return EXIT_USAGE;
	}
	int code;
	if (plain) {
		cli_catch_stop_signals();
		code = step_plain(server, client, examples, &sandbox, stdout, &cli_stop_signal);
	} else {
		const char *const commands[2] = { server, client };
		struct tui_options tui = { .big = big, .color = getenv("NO_COLOR") == NULL };
		cli_output_for_curses();
		code = tui_step(commands, examples, &sandbox, &tui);
	}
	sandbox_done(&sandbox);
	return cli_exit_for_signal(code);
}

