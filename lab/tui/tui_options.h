/* tui_options — what the command line chose for the curses frontend: read
 * by tui_run's caller and by the screens (through struct tui). */
#ifndef SOCKLAB_TUI_OPTIONS_H
#define SOCKLAB_TUI_OPTIONS_H

#include <stdbool.h>

struct trace_writer;

struct tui_options {
	bool big;            /* --big: the projector screen (projector.h), everything bold */
	bool color;          /* false with NO_COLOR */
	bool quiz;           /* start in predict mode (--quiz) */
	/* `run --trace FILE` / `--pcap FILE`, for the lesson run from the
	 * command line: the trace gets the steps as they stand when the student
	 * leaves the lesson (after any back or go-to); the pcap every packet. */
	struct trace_writer *trace;   /* borrowed; NULL for none */
	const char *pcap_path;        /* NULL for none */
	/* The menu's lessons are socklab's own: their programs start unasked.
	 * Any other lesson's programs (lesson->programs_allowed false) start
	 * only after the student says y to the commands shown (consent.h). */
	bool menu_shipped;
};

#endif
