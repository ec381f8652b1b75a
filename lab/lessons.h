/* lessons — where the lessons are, and LESSON as the student names it.
 *
 * socklab's own lessons sit beside an installed binary, in the source tree
 * of a build, or at the configured install path; $SOCKLAB_LESSONS points
 * elsewhere. A bare number or name always means one of those; a path has
 * a slash. */
#ifndef SOCKLAB_LESSONS_H
#define SOCKLAB_LESSONS_H

#include <stdbool.h>
#include <stddef.h>

#include "lesson.h"

bool lessons_is_directory(const char *path);

/* Where socklab's own lessons are (a static string). */
const char *lessons_shipped_dir(void);
/* Where the lessons are: $SOCKLAB_LESSONS, else socklab's own. */
const char *lessons_dir(void);
/* A lesson shipped with socklab starts its programs unasked (consent.h). */
bool lessons_is_shipped(const char *path);

/* The lesson files of lessons_dir(), sorted; free with lessons_free_list.
 * NULL with errno ENOMEM when out of memory (not a short list). */
char **lessons_list(size_t *count);
void lessons_free_list(char **paths, size_t count);
const char *lessons_base_name(const char *path);

/* LESSON as given: 1 with *found (caller frees), 0 no such lesson, -1 out of memory. */
int lessons_resolve(const char *given, char **found);
/* The lesson LESSON names, loaded, its programs allowed when it is shipped
 * or `allow_programs`; NULL when it cannot be (said on stderr). */
struct lesson *lessons_load(const char *given, bool allow_programs);

/* Where the examples live: beside the lessons (installed), or the source tree. */
void lessons_examples_dir(char *out, size_t size);

#endif
