/* play_actions — free play on the lesson screen.
 *
 * The lesson screen shows a play (play.h): a lesson that grows as calls are
 * typed on the command line, each run on the real pair as a step is. The
 * screen draws it as it draws any lesson; only what a typed line means is
 * here: a call goes to play_line(), whose parser says what is wrong and
 * where; a command (w FILE, q) is a row of a table. Keys that walk a
 * lesson's steps have nothing to walk, and say so. */
#include "play_actions.h"

#include "tui_state.h"
#include "command_line.h"
#include "play.h"
#include "lesson_actions.h"
#include "page.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "signals.h"
#include "i18n.h"

/* Frees the play, and so its session: the lesson screen calls it when it
 * closes (tui->release_session). */
static void release_play(struct tui *tui);

/* A new play on `sides` (NULL: server and client) in place of whatever was
 * shown, in a fresh sandbox when one was used before: starting over must
 * not meet the last run's TIME-WAIT sockets. */
static int start_play(struct tui *tui, const char *const *sides, int side_count, char **err)
{
	lesson_actions_close(tui);
	if (tui->sessions_started > 0 && sandbox_renew(tui->sandbox, err) < 0)
		return -1;
	if (play_new(&tui->play, tui->sandbox, sides, side_count, err) < 0) {
		tui->play = NULL;
		return -1;
	}
	tui->session = play_session(tui->play);
	tui->release_session = release_play;
	tui->command.run = play_actions_run_line;
	if (session_capture(tui->session, NULL, err) < 0)
		return -1;
	session_set_interrupt(tui->session, signals_flag());
	tui->sessions_started++;
	tui->lesson = session_lesson(tui->session);
	return 0;
}

int play_actions_open(struct tui *tui, char **err)
{
	if (start_play(tui, NULL, 0, err) < 0)
		return -1;
	tui->command.open = true;
	lesson_actions_show(tui);
	return 0;
}

/* Why free play cannot take over this lesson where it is, or NULL. */
static const char *cannot_continue(const struct lesson *lesson)
{
	if (lesson->hold_segments)
		return _("this lesson holds segments on the wire, which free play does not");
	for (int s = 0; s < lesson->side_count; s++) {
		if (lesson->forked[s])
			return _("this lesson forks a side, which free play does not");
		if (lesson->programs[s])
			return _("this lesson's sides are programs, which make their own calls");
	}
	return NULL;
}

static int open_from_lesson(struct tui *tui, char **err)
{
	const struct lesson *lesson = tui->lesson;
	size_t done = session_steps_done(tui->session);
	const char *why = cannot_continue(lesson);
	if (why) {
		text_error(err, _("%s: socklab play starts afresh"), why);
		return 1;
	}
	char sides[LESSON_MAX_SIDES][NAME_MAX_LEN];
	const char *side_names[LESSON_MAX_SIDES];
	int side_count = lesson->side_count;
	for (int s = 0; s < side_count; s++) {
		snprintf(sides[s], sizeof sides[s], "%s", lesson->sides[s]);
		side_names[s] = sides[s];
	}
	bool host = tui->sandbox->kind == SANDBOX_HOST;
	if (start_play(tui, side_names, side_count, err) < 0)
		return -1;
	/* The lesson's calls so far, again, on a fresh pair: what shows is
	 * real, as going back in a lesson is. The lesson (borrowed) outlives
	 * its session. */
	size_t replayed = 0;
	for (size_t i = 0; i < done; i++) {
		const struct typed_call *call = &lesson->steps[i].call;
		if (host && lesson->steps[i].needs_private_netns)
			continue;   /* the lesson skipped it here too */
		char line[COMMAND_LINE_MAX + NAME_MAX_LEN + 2];
		snprintf(line, sizeof line, "%s: %s", sides[call->side], call->text);
		struct diagnostics diag;
		diagnostics_init(&diag, "<play>");
		int result =
			play_line(tui->play, line, strlen(line), (int)replayed + 1, &diag, err);
		bool refused = diag.count > 0;
		diagnostics_done(&diag);
		if (result < 0)
			return -1;
		if (refused) {
			tui_message(tui,
				    _("free play could not run the lesson's step %zu again: it "
				      "stops before it"),
				    i + 1);
			break;
		}
		replayed++;
	}
	tui->command.open = true;
	lesson_actions_show(tui);
	tui->half = 2;
	lesson_actions_refresh_view(tui);
	if (!tui->message[0])
		tui_message(tui,
			    ngettext("free play: the lesson's %zu call ran again in a fresh "
				     "sandbox; type the next",
				     "free play: the lesson's %zu calls ran again in a fresh "
				     "sandbox; type the next",
				     replayed),
			    replayed);
	return 0;
}

static void release_play(struct tui *tui)
{
	play_free(tui->play);
	tui->play = NULL;
	tui->session = NULL;
}

/* ---- what a line means -------------------------------------------------- */

/* Puts the parser's complaint under the line: the message without its
 * "file:line:col: ", the caret on the byte it names. */
static void show_problem(struct tui *tui, const struct diagnostics *diag, size_t index)
{
	struct command_line *line = &tui->command;
	const char *message = diag->messages[index];
	struct source_pos pos = diag->positions[index];
	char prefix[64];
	int prefix_len =
		snprintf(prefix, sizeof prefix, "%s:%d:%d: ", diag->file, pos.line, pos.column);
	if (prefix_len > 0 && strncmp(message, prefix, (size_t)prefix_len) == 0)
		message += prefix_len;
	snprintf(line->problem, sizeof line->problem, "%s", message);
	line->problem_at = pos.column > 0 ? (size_t)pos.column - 1 : 0;
}

static void set_problem(struct tui *tui, size_t at, const char *message)
{
	snprintf(tui->command.problem, sizeof tui->command.problem, "%s", message);
	tui->command.problem_at = at;
}

static bool run_call(struct tui *tui, const char *text)
{
	struct diagnostics diag;
	char *err = NULL;
	diagnostics_init(&diag, "<play>");
	int line_number = (int)session_steps_done(tui->session) + 1;
	int result = play_line(tui->play, text, strlen(text), line_number, &diag, &err);
	bool done = true;
	if (result < 0) {
		tui_message(tui, _("the lab failed: %s (r starts over)"),
			    err ? err : _("out of memory"));
		free(err);
	} else if (diag.count > 0) {
		show_problem(tui, &diag, 0);
		done = false;
	}
	diagnostics_done(&diag);
	/* The step whole: a call that woke another side's shows it returning. */
	tui->half = 2;
	lesson_actions_refresh_view(tui);
	return done;
}

/* "~/x.lesson" is the student's home, as their shell would say. */
static void expand_home(const char *path, char *out, size_t size)
{
	const char *home = getenv("HOME");
	if (path[0] == '~' && path[1] == '/' && home && home[0])
		snprintf(out, size, "%s%s", home, path + 1);
	else
		snprintf(out, size, "%s", path);
}

static bool command_write(struct tui *tui, const char *line, size_t argument)
{
	size_t end = strlen(line);
	while (end > argument && (line[end - 1] == ' ' || line[end - 1] == '\t'))
		end--;
	if (end == argument) {
		set_problem(tui, argument, _("w needs a file to write, like: w /tmp/mine.lesson"));
		return false;
	}
	if (session_steps_done(tui->session) == 0) {
		set_problem(tui, 0, _("nothing played yet: a lesson needs at least one call"));
		return false;
	}
	char given[COMMAND_LINE_MAX], path[COMMAND_LINE_MAX + 256];
	snprintf(given, sizeof given, "%.*s", (int)(end - argument), line + argument);
	expand_home(given, path, sizeof path);
	char *err = NULL;
	if (play_write_lesson(tui->play, path, &err) < 0) {
		set_problem(tui, argument, err ? err : _("out of memory"));
		free(err);
		return false;
	}
	tui_message(tui, _("wrote %s: socklab check accepts it, socklab run replays it"), path);
	return true;
}

static bool command_quit(struct tui *tui, const char *line, size_t argument)
{
	(void)line;
	(void)argument;
	tui->quit = true;
	return true;
}

/* The commands a line may be instead of a call; a call always names its
 * side before a ':', so the two never meet. */
static const struct play_command {
	const char *name;
	const char *alias;
	/* argument: where it starts */
	bool (*run)(struct tui *tui, const char *line, size_t argument);
	const char *usage;
	const char *help;
} play_commands[] = {
	{ "w", "write", command_write, "w FILE",
	  N_("write what was played as a lesson file, each expectation what the kernel did: "
	     "socklab check accepts it and socklab run replays it (as in vi, :w works too)") },
	{ "q", "quit", command_quit, "q", N_("quit (so does Esc, then q)") },
};

static const struct play_command *find_command(const char *word, size_t len)
{
	for (size_t i = 0; i < sizeof play_commands / sizeof play_commands[0]; i++) {
		const struct play_command *command = &play_commands[i];
		if ((strlen(command->name) == len && memcmp(command->name, word, len) == 0)
		    || (strlen(command->alias) == len && memcmp(command->alias, word, len) == 0))
			return command;
	}
	return NULL;
}

bool play_actions_run_line(struct tui *tui, const char *line)
{
	size_t start = strspn(line, " \t");
	if (line[start] == ':')
		start++;   /* ":w FILE", as in vi */
	size_t end = start;
	while (line[end] && line[end] != ' ' && line[end] != '\t' && line[end] != ':')
		end++;
	const struct play_command *command =
		line[end] == ':' ? NULL : find_command(line + start, end - start);
	if (command)
		return command->run(tui, line, end + strspn(line + end, " \t"));
	return run_call(tui, line);
}

void play_actions_commands_help(struct tui_page *page, int width)
{
	page_add(page, "%s", "");
	page_add(page, "%s", _("Commands on the command line, instead of a call"));
	page_add(page, "%s", "");
	for (size_t i = 0; i < sizeof play_commands / sizeof play_commands[0]; i++)
		page_add_key_row(page, play_commands[i].usage, _(play_commands[i].help), width);
}

/* ---- keys --------------------------------------------------------------- */

static void play_command_open(struct tui *tui)
{
	tui->command.open = true;
}

static void play_no_steps(struct tui *tui)
{
	tui_message(tui, "%s",
		    _("free play has no steps to walk: press : and type a call (r starts over)"));
}

static void play_start_over(struct tui *tui)
{
	char *err = NULL;
	if (play_actions_open(tui, &err) < 0) {
		/* Nothing left to show: end as a lab that cannot start does. */
		tui_message(tui, _("could not start over: %s"), err ? err : _("out of memory"));
		free(err);
		tui->exit_code = 2;
		tui->quit = true;
		return;
	}
	tui_message(tui, "%s", _("started over in a fresh sandbox: Up recalls what you typed"));
}

/* `:` leaves the lesson's path where it is: free play goes on from there. */
static void play_from_lesson(struct tui *tui)
{
	if (!tui->command.history.lines) {
		char *history_path = history_default_path();
		command_line_init(tui, history_path);
		free(history_path);
	}
	char *err = NULL;
	int result = open_from_lesson(tui, &err);
	if (result == 0)
		return;
	if (result > 0) {
		/* Refused before anything closed: the lesson goes on. */
		tui_message(tui, "%s", err ? err : _("out of memory"));
	} else {
		tui_message(tui, _("could not start free play: %s"),
			    err ? err : _("out of memory"));
		tui->exit_code = 2;
		tui->quit = true;
	}
	free(err);
}

const tui_handler play_actions_handlers[ACTION_COUNT] = {
	[ACTION_NEXT] = play_no_steps,
	[ACTION_BACK] = play_no_steps,
	[ACTION_GOTO] = play_no_steps,
	[ACTION_FIRST] = play_no_steps,
	[ACTION_LAST] = play_no_steps,
	[ACTION_AUTOPLAY] = play_no_steps,
	[ACTION_FASTER] = play_no_steps,
	[ACTION_SLOWER] = play_no_steps,
	[ACTION_RESTART] = play_start_over,
	[ACTION_COMMAND] = play_command_open,
};

/* A lesson's ':' comes here: free play goes on from the step on screen. */
const tui_handler play_actions_entry_handlers[ACTION_COUNT] = {
	[ACTION_COMMAND] = play_from_lesson,
};
