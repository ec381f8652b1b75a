/* consent — a lesson from someone else starts no program unasked.
 *
 * `program SIDE: COMMAND` runs COMMAND as the user, with the user's files
 * and rights. The lessons shipped with socklab (the directories its build
 * and its install keep lessons in) are trusted: their programs start as
 * the lesson opens. Any other lesson's programs start only once the user
 * has said yes: the TUI shows the commands and asks, and the paths without
 * a question (run --plain) need --allow-programs. The frontends decide;
 * this module says whether a lesson is shipped and what it would run, and
 * the session refuses to start programs a lesson was not allowed
 * (lesson->programs_allowed).
 */
#ifndef SOCKLAB_CONSENT_H
#define SOCKLAB_CONSENT_H

#include <stdbool.h>
#include <stddef.h>

#include "lesson.h"

/* Whether the file at `lesson_path` lies in one of `shipped_dirs` (both
 * resolved through symbolic links; a directory that does not exist holds
 * nothing). */
bool consent_is_shipped(const char *lesson_path, const char *const *shipped_dirs, size_t dir_count);

/* Whether the lesson names programs. */
bool consent_has_programs(const struct lesson *lesson);

/* The lesson's programs as they would run, `separator` between sides:
 * "server: python3 /home/u/course/echo-server.py; client: sh -c 'echo hi'"
 * (words.h's quoting, so nothing unprintable; ./ and ../ made absolute
 * from the lesson's directory). Returns a malloc'd string, or NULL when
 * out of memory or the lesson has none. */
char *consent_describe(const struct lesson *lesson, const char *separator);

#endif
