/* help — `socklab help TOPIC`: a section of the man page as plain text,
 * for machines without man(1).
 *
 * The text is doc/socklab.1 itself, embedded at build time (CMakeLists.txt
 * writes it into man_page.c), so the help and the manual cannot differ:
 * help.c formats the section's roff (the requests and escapes the manual
 * uses) into filled paragraphs at most 80 columns wide. */
#ifndef SOCKLAB_HELP_H
#define SOCKLAB_HELP_H

#include <stddef.h>
#include <stdio.h>

struct help_topic {
	const char *name;     /* what the user types: "keys" */
	const char *section;  /* the man page's .SH heading: "KEYS" */
	const char *about;    /* one line for the list of topics */
};

extern const struct help_topic help_topics[];
extern const size_t help_topic_count;

/* Prints TOPIC's section of the manual to `out`. Returns 0, or -1 with why
 * in *err (an unknown topic names the known ones; caller frees). */
int help_print_topic(FILE *out, const char *topic, char **err);

/* Prints the section headed SECTION of the roff text `man_page` to `out`.
 * Returns 0, or -1 when the page has no such section. */
int help_format_section(FILE *out, const char *man_page, const char *section);

/* One line a topic, indented: "  keys         the keys of ...". */
void help_print_topics(FILE *out);

#endif
