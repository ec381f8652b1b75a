/* svg — a diagram (diagram.h) written as SVG, and as an HTML handout.
 *
 * The SVG is one self-contained file: no script, no external font (the
 * generic families monospace and sans-serif only), no CSS, no markers or
 * patterns (arrowheads are polygons), so a browser, Inkscape, LibreOffice
 * and rsvg read it alike. Colour only doubles what shape and text say: a
 * call is a box (a failed one a thick box, its result "-1 ENAME"; a
 * blocked one dashed, with a bar down its lifeline to the box where it
 * woke), a packet an arrow with its flags written on it, a state a
 * rounded tag (a socket gone, a dashed one). The output depends only on
 * the diagram: a normalised trace gives the same bytes every time.
 *
 * The HTML handout wraps the same drawing cut into steps, each step's
 * slice beside its text, as a table that prints a step per row. */
#ifndef SOCKLAB_SVG_H
#define SOCKLAB_SVG_H

#include <stddef.h>
#include <stdio.h>

#include "diagram.h"

/* What a document says besides the diagram. Every field may be NULL. */
struct svg_texts {
	const char *subtitle;             /* a line under the title: "sandbox: network namespace" */
	const char *intro;                /* HTML: a paragraph before the steps */
	const char *const *steps;         /* HTML: steps[k] is step k+1's text (NULL: none) */
	size_t step_count;
};

/* Writes the diagram as an SVG document to `out`. Returns 0, or -1 with
 * *err (out of memory, or the write failed). */
int svg_write(FILE *out, const struct diagram *diagram, const struct svg_texts *texts, char **err);

/* Writes an HTML page: the title, the intro, then a row per step: the
 * step's slice of the diagram and the step's text. Returns 0, or -1 with *err. */
int svg_write_html(FILE *out, const struct diagram *diagram, const struct svg_texts *texts,
		   char **err);

#endif
