/* play — a lesson that grows as the student types. */
#include "play.h"

#include <errno.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>

#include "plain.h"
#include "python.h"
#include "readiness.h"
#include "text.h"
#include "i18n.h"

struct play {
	struct lesson lesson;          /* steps appended as calls are typed */
	struct name_scope scope;       /* names given so far, per side */
	struct session *session;
};

int play_new(struct play **out, struct sandbox *sandbox, const char *const *sides, int side_count,
	     char **err)
{
	static const char *const default_sides[] = { "server", "client" };
	if (!sides) {
		sides = default_sides;
		side_count = 2;
	}
	struct play *play = calloc(1, sizeof *play);
	if (!play)
		return text_error(err, "%s", _("out of memory"));
	play->lesson.path = strdup("<play>");
	play->lesson.name = strdup("play");
	play->lesson.title = strdup(N_("Free play"));   /* translated where shown */
	if (!play->lesson.path || !play->lesson.name || !play->lesson.title) {
		play_free(play);
		return text_error(err, "%s", _("out of memory"));
	}
	for (int i = 0; i < side_count && i < LESSON_MAX_SIDES; i++)
		snprintf(play->lesson.sides[play->lesson.side_count++], NAME_MAX_LEN, "%s",
			 sides[i]);
	if (session_new(&play->session, &play->lesson, sandbox, err) < 0) {
		play_free(play);
		return -1;
	}
	*out = play;
	return 0;
}

void play_free(struct play *play)
{
	if (!play)
		return;
	session_free(play->session);
	for (size_t i = 0; i < play->lesson.step_count; i++) {
		typed_call_done(&play->lesson.steps[i].call);
		free(play->lesson.steps[i].python);
	}
	free(play->lesson.steps);
	free(play->lesson.path);
	free(play->lesson.name);
	free(play->lesson.title);
	free(play);
}

struct session *play_session(struct play *play)
{
	return play->session;
}

int play_parse_line(const char *text, size_t len, int line_number, char sides[][NAME_MAX_LEN],
		    int side_count, struct name_scope *scope, struct typed_call *call,
		    struct diagnostics *diag)
{
	size_t start = 0;
	while (start < len && (text[start] == ' ' || text[start] == '\t'))
		start++;
	if (start == len || text[start] == '#')
		return 0;
	struct source_pos pos = { .line = line_number, .column = 1 };
	if (len > LESSON_LINE_MAX_BYTES) {
		pos.column = LESSON_LINE_MAX_BYTES + 1;
		diagnostics_add(diag, pos, _("line is longer than %d bytes"),
				LESSON_LINE_MAX_BYTES);
		return -1;
	}
	if (typed_call_parse(text, len, pos, sides, side_count, scope, call, diag) < 0)
		return -1;
	if (call->def->wire) {
		/* Nothing is held here: the lab has no queue to let a segment go from. */
		const char *colon = memchr(text, ':', len);
		const char *name = colon ? memmem(colon, len - (size_t)(colon - text),
						  call->def->name, strlen(call->def->name))
					 : NULL;
		pos.column = name ? (int)(name - text) + 1 : 1;
		diagnostics_add(diag, pos,
				_("%s() needs held segments: free play holds none (a lesson with "
				  "'wire: hold' does)"),
				call->def->name);
		typed_call_done(call);
		return -1;
	}
	return 1;
}

int play_line(struct play *play, const char *text, size_t len, int line_number,
	      struct diagnostics *diag, char **err)
{
	struct lesson *lesson = &play->lesson;
	struct lesson_step *grown =
		realloc(lesson->steps, (lesson->step_count + 1) * sizeof *grown);
	if (!grown)
		return text_error(err, "%s", _("out of memory"));
	lesson->steps = grown;
	struct lesson_step *step = &lesson->steps[lesson->step_count];
	memset(step, 0, sizeof *step);
	step->line = line_number;
	if (play_parse_line(text, len, line_number, lesson->sides, lesson->side_count, &play->scope,
			    &step->call, diag) <= 0)
		return 0;
	/* The Python of the call as typed: its names and its arguments. */
	char python[400];
	step->python = strdup(python_line(&step->call, python, sizeof python));
	if (!step->python) {
		typed_call_done(&step->call);
		return text_error(err, "%s", _("out of memory"));
	}
	lesson->step_count++;
	return session_step(play->session, err) < 0 ? -1 : 1;
}

enum { BYTES_SHOWN_MAX = 200 };   /* received bytes longer than this: the count alone */

/* Writes the expectation that says what an event returned, in lesson
 * grammar; `whole`: the step's own call, which may also say which fds
 * were ready (a woken call's `returns` takes one value). Received bytes
 * too long for a lesson line are checked by their count. */
static void write_expectation(FILE *file, const struct lab_event *event, bool whole)
{
	const struct call_def *def = &catalog_calls[event->call];
	if (event->kind == EVENT_BLOCKED) {
		fprintf(file, "blocks");
	} else if (event->ret == -1 && event->error && catalog_errno_name(event->error)) {
		fprintf(file, "-1 %s", catalog_errno_name(event->error));
	} else if (def->result == RESULT_FD && event->ret >= 0) {
		fprintf(file, "fd");
	} else if (def->result == RESULT_RECEIVED && event->ret > 0
		   && event->bytes_len * 4 <= BYTES_SHOWN_MAX) {
		char escaped[BYTES_SHOWN_MAX + 4];
		fprintf(file, "\"%s\"",
			text_escape(event->bytes, event->bytes_len, escaped, sizeof escaped));
	} else if (event->has_value) {
		fprintf(file, "%ld, value %ld", event->ret, event->value);
	} else if (whole && event->ready_count && event->ret > 0) {
		char *ready = readiness_text_new(event->ready, event->ready_count);
		size_t len = ready ? strlen(ready) : 0;
		char *escaped = malloc(4 * len + 4);
		if (ready && escaped)
			fprintf(file, "%ld, ready \"%s\"", event->ret,
				text_escape(ready, len, escaped, 4 * len + 4));
		else
			fprintf(file, "%ld", event->ret);
		free(escaped);
		free(ready);
	} else {
		fprintf(file, "%ld", event->ret);
	}
}

/* What was played, as lesson text, into `file`. */
static void write_lesson_text(FILE *file, const struct play *play)
{
	const struct lesson *lesson = &play->lesson;
	size_t count;
	const struct lab_event *events = session_events(play->session, &count);
	fprintf(file, "# Written by socklab play: every expectation is what the kernel did.\n");
	fprintf(file, "title: Free play\nsides:");
	for (int s = 0; s < lesson->side_count; s++)
		fprintf(file, " %s", lesson->sides[s]);
	fprintf(file, "\n");
	for (size_t e = 0; e < count; e++) {
		const struct lab_event *event = &events[e];
		if (event->kind == EVENT_WOKE)
			continue;
		fprintf(file, "\nstep %s: %s\n", lesson->sides[event->side], event->text);
		if (event->kind != EVENT_NOT_RUN) {
			fprintf(file, "  expect: ");
			write_expectation(file, event, true);
			fprintf(file, "\n");
		}
		/* Calls this step woke, and what they returned. */
		bool first = true;
		for (size_t w = e + 1; w < count && events[w].step == event->step; w++) {
			if (events[w].kind != EVENT_WOKE)
				continue;
			fprintf(file, "%s%s returns ", first ? "  then: " : ", ",
				lesson->sides[events[w].side]);
			write_expectation(file, &events[w], false);
			first = false;
		}
		if (!first)
			fprintf(file, "\n");
	}
}

int play_write_lesson(const struct play *play, const char *path, char **err)
{
	char *text = NULL;
	size_t len = 0;
	FILE *memory = open_memstream(&text, &len);
	if (!memory)
		return text_error(err, "%s", _("out of memory"));
	write_lesson_text(memory, play);
	if (fclose(memory) != 0) {
		free(text);
		return text_error(err, "%s", _("out of memory"));
	}
	/* What `socklab check` would say of it, before it is written. */
	struct diagnostics diag;
	diagnostics_init(&diag, path);
	struct lesson *lesson = lesson_parse(path, text, len, &diag);
	int result = 0;
	if (!lesson)
		result = text_error(err, _("not written: socklab check would refuse it (%s)"),
				    diag.count ? diag.messages[0] : _("out of memory"));
	lesson_free(lesson);
	diagnostics_done(&diag);
	FILE *file = result == 0 ? fopen(path, "w") : NULL;
	if (result == 0 && !file)
		result = text_error(err, _("cannot write %s: %s"), path, strerror(errno));
	if (file) {
		bool written = fwrite(text, 1, len, file) == len;
		if (fclose(file) != 0 || !written)
			result = text_error(err, _("cannot write %s: %s"), path, strerror(errno));
	}
	free(text);
	return result;
}

ssize_t play_read_line(FILE *in, char *line, size_t size, bool *too_long)
{
	size_t len = 0;
	int c;
	*too_long = false;
	while ((c = getc(in)) != EOF && c != '\n') {
		if (len + 1 < size)
			line[len++] = (char)c;
		else
			*too_long = true;
	}
	if (c == EOF && len == 0 && !*too_long)
		return -1;
	while (len > 0 && line[len - 1] == '\r')
		len--;
	line[len] = '\0';
	return (ssize_t)len;
}

int play_plain(FILE *in, FILE *out, struct sandbox *sandbox, const volatile sig_atomic_t *stop)
{
	struct play *play = NULL;
	char *err = NULL;
	if (play_new(&play, sandbox, NULL, 0, &err) < 0) {
		fprintf(stderr, "socklab: %s\n", err);
		free(err);
		return 2;
	}
	session_set_interrupt(play->session, stop);
	if (session_capture(play->session, NULL, &err) < 0) {
		fprintf(stderr, "socklab: %s\n", err);
		free(err);
		play_free(play);
		return 2;
	}
	plain_print_info(out, session_info(play->session));
	/* A typed line is a lesson line: what `w FILE` writes must pass check. */
	char line[LESSON_LINE_MAX_BYTES + 2];
	bool too_long;
	ssize_t len;
	int number = 0;
	bool lab_failed = false, refused = false;
	while (!*stop && !ferror(out)
	       && (len = play_read_line(in, line, sizeof line, &too_long)) >= 0) {
		number++;
		if (too_long || (size_t)len > LESSON_LINE_MAX_BYTES) {
			fprintf(out, _("<stdin>:%d:%d: line is longer than %d bytes\n"), number,
				LESSON_LINE_MAX_BYTES + 1, LESSON_LINE_MAX_BYTES);
			refused = true;
			continue;
		}
		if (strcmp(line, "q") == 0)
			break;
		if (strncmp(line, "w ", 2) == 0) {
			if (play_write_lesson(play, line + 2, &err) < 0) {
				fprintf(out, "%s\n", err);
				free(err);
				err = NULL;
				refused = true;
			} else {
				fprintf(out, _("wrote %s\n"), line + 2);
			}
			continue;
		}
		struct diagnostics diag;
		diagnostics_init(&diag, "<stdin>");
		size_t before;
		session_events(play->session, &before);
		int result = play_line(play, line, (size_t)len, number, &diag, &err);
		for (size_t i = 0; i < diag.count; i++)
			fprintf(out, "%s\n", diag.messages[i]);
		refused |= diag.count > 0;
		diagnostics_done(&diag);
		if (result < 0) {
			fprintf(stderr, "socklab: %s\n", err ? err : _("out of memory"));
			free(err);
			lab_failed = true;
			break;
		}
		if (result > 0) {
			size_t count;
			const struct lab_event *events = session_events(play->session, &count);
			plain_print_step_in(out, session_info(play->session), events, before,
					    count - before);
			fprintf(out, "  python  %s\n",
				play->lesson.steps[play->lesson.step_count - 1].python);
		}
		fflush(out);
	}
	/* As `run` says it: 2 for lines that were refused (or a lab that
	 * failed), 1 for steps that failed. */
	int code = lab_failed || refused ? 2 : session_failure_count(play->session) ? 1 : 0;
	play_free(play);
	return code;
}
