/* cmd_programs — free play and stepping programs: play and step. */
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "i18n.h"
#include "lessons.h"
#include "options.h"
#include "play.h"
#include "sandbox.h"
#include "step.h"
#include "tui/tui.h"

enum play_row { PLAY_PLAIN, PLAY_HOST, PLAY_ROW_COUNT };

static const struct option_row play_rows[PLAY_ROW_COUNT] = {
	[PLAY_PLAIN] = { .name = "plain" },
	[PLAY_HOST] = { .name = "host" },
};

static const struct options_spec play_spec = { "play", "", play_rows, PLAY_ROW_COUNT };

/* A flag's row sets the bool at that index. */
static int take_flag(void *context, size_t row, const char *value)
{
	(void)value;
	((bool *)context)[row] = true;
	return 0;
}

int cmd_play(int argc, char **argv)
{
	bool flags[PLAY_ROW_COUNT] = { false };
	int first = options_parse(&play_spec, argc, argv, take_flag, flags);
	if (first < 0)
		return first == OPTIONS_HELP ? EXIT_OK : EXIT_USAGE;
	if (first != argc) {
		fprintf(stderr,
			_("socklab play: takes no operand, got '%s' (calls come on standard "
			  "input)\n"),
			argv[first]);
		options_usage(stderr, &play_spec);
		return EXIT_USAGE;
	}
	bool plain = flags[PLAY_PLAIN], force_host = flags[PLAY_HOST];
	if (!plain && (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)))
		plain = true;   /* calls from a pipe or a script: the transcript serves them */
	char *err = NULL;
	struct sandbox sandbox;
	cli_pin_to_current_cpu();
	if (cli_enter_sandbox(&sandbox, force_host, &err) < 0) {
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

enum step_row { STEP_SERVER, STEP_CLIENT, STEP_PLAIN, STEP_HOST, STEP_BIG, STEP_ROW_COUNT };

static const struct option_row step_rows[STEP_ROW_COUNT] = {
	[STEP_SERVER] = { .name = "server", .value = "'COMMAND'", .required = true },
	[STEP_CLIENT] = { .name = "client", .value = "'COMMAND'", .required = true },
	[STEP_PLAIN] = { .name = "plain" },
	[STEP_HOST] = { .name = "host" },
	[STEP_BIG] = { .name = "big" },
};

static const struct options_spec step_spec = { "step", "", step_rows, STEP_ROW_COUNT };

struct step_options {
	const char *server, *client;
	bool plain, force_host, big;
};

static int take_step_option(void *context, size_t row, const char *value)
{
	struct step_options *options = context;
	switch ((enum step_row)row) {
	case STEP_SERVER: options->server = value; break;
	case STEP_CLIENT: options->client = value; break;
	case STEP_PLAIN: options->plain = true; break;
	case STEP_HOST: options->force_host = true; break;
	case STEP_BIG: options->big = true; break;
	case STEP_ROW_COUNT: break;
	}
	return 0;
}

int cmd_step(int argc, char **argv)
{
	struct step_options options = { 0 };
	int first = options_parse(&step_spec, argc, argv, take_step_option, &options);
	if (first < 0)
		return first == OPTIONS_HELP ? EXIT_OK : EXIT_USAGE;
	if (first != argc) {
		fprintf(stderr,
			_("socklab step: takes no operand, got '%s' (quote each command: --server "
			  "'CMD')\n"),
			argv[first]);
		options_usage(stderr, &step_spec);
		return EXIT_USAGE;
	}
	const char *server = options.server, *client = options.client;
	bool force_host = options.force_host, plain = options.plain, big = options.big;
	if (!server || !client) {
		fprintf(stderr, "%s",
			server ? _(
				"socklab step: which program is the client? (--client 'COMMAND')\n")
			       : _("socklab step: which program is the server? (--server "
				   "'COMMAND')\n"));
		options_usage(stderr, &step_spec);
		return EXIT_USAGE;
	}
	if (!plain && (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)))
		plain = true;   /* from a pipe or a script: the transcript serves them */
	char examples[PATH_MAX];
	lessons_examples_dir(examples, sizeof examples);
	char *err = NULL;
	struct sandbox sandbox;
	cli_pin_to_current_cpu();
	if (cli_enter_sandbox(&sandbox, force_host, &err) < 0) {
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

