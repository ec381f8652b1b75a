/* play — free play: calls typed one at a time, run on the real pair.
 *
 * The student types calls in the lessons' grammar (`server: s =
 * socket(AF_INET, SOCK_STREAM)`); each becomes a step of a lesson that grows
 * as they type, and runs exactly as a lesson step does: blocking calls
 * block, the other side stays usable, refusals come with their evidence.
 * What was played can be written out as a lesson, with expectations filled
 * from what the kernel returned, that `socklab check` accepts and `run`
 * replays.
 */
#ifndef SOCKLAB_PLAY_H
#define SOCKLAB_PLAY_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

#include "lesson.h"
#include "sandbox.h"
#include "session.h"

struct play;

/* A free-play lesson with the given sides (NULL: server and client), and
 * a session on it. Returns 0, or -1 with *err. */
int play_new(struct play **out, struct sandbox *sandbox, const char *const *sides, int side_count,
	     char **err);
void play_free(struct play *play);                        /* safe on NULL */

/* Parses one typed line and, when it is a call, runs it as the next step.
 * Parse problems go to diag (positions on `line_number`); returns 1 when
 * the line was a call that ran, 0 when it was not run (empty, comment,
 * parse error), -1 when the lab failed (with *err). */
int play_line(struct play *play, const char *text, size_t len, int line_number,
	      struct diagnostics *diag, char **err);

/* Parses one typed line as free play takes it: 0 for a blank or comment
 * line (nothing parsed), 1 for a call free play can run (*call then owns
 * its strings), -1 when refused, with the problems in diag (positions on
 * `line_number`): a parse error, a line longer than a lesson line, or
 * release()/drop(), which need held segments. No kernel is involved. */
int play_parse_line(const char *text, size_t len, int line_number, char sides[][NAME_MAX_LEN],
		    int side_count, struct name_scope *scope, struct typed_call *call,
		    struct diagnostics *diag);

/* Reads one line of typed input into line[size], NUL-terminated, without
 * its newline (and trailing CRs). A longer line is read to its end and not
 * kept: *too_long says so. Returns the bytes kept, -1 at the end of input. */
ssize_t play_read_line(FILE *in, char *line, size_t size, bool *too_long);

/* Writes what was played as a lesson file, only when `socklab check` would
 * accept it (received bytes too long for a lesson line are checked by
 * their count). Returns 0, or -1 with *err. */
int play_write_lesson(const struct play *play, const char *path, char **err);

struct session *play_session(struct play *play);

/* `socklab play --plain`: reads lines from `in` until EOF or "q", prints
 * the transcript to `out`. Lines: a call, "# comment", "w FILE" (write the
 * lesson), "q" (quit). Returns an exit code. */
int play_plain(FILE *in, FILE *out, struct sandbox *sandbox, const volatile sig_atomic_t *stop);

#endif
