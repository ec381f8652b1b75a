/* i18n — the chosen language, exported and bound to the gettext domain. */
#include "i18n.h"

#include <limits.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"

/* Where the catalogues are, relative to the binary: the build tree's
 * (build/socklab, build/locale/...), then an installed tree moved
 * elsewhere (bin/socklab, share/locale/...); else where it was installed. */
static const char *const beside_binary[] = { "locale", "../share/locale" };

static const char *locale_dir(char *buf, size_t size)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	char *slash = n > 0 ? memrchr(exe, '/', (size_t)n) : NULL;
	if (!slash)
		return SOCKLAB_LOCALE_DIR;
	*slash = '\0';
	for (size_t i = 0; i < sizeof beside_binary / sizeof beside_binary[0]; i++) {
		char mo[PATH_MAX + 64];
		snprintf(mo, sizeof mo, "%s/%s/zh_CN/LC_MESSAGES/socklab.mo", exe,
			 beside_binary[i]);
		if (access(mo, R_OK) == 0
		    && snprintf(buf, size, "%s/%s", exe, beside_binary[i]) < (int)size)
			return buf;
	}
	return SOCKLAB_LOCALE_DIR;
}

void i18n_use(enum language language)
{
	setenv("SOCKLAB_LANGUAGE", language_code(language), 1);
	if (language == LANGUAGE_ZH) {
		/* The C library's own messages (strerror) follow the environment:
		 * Chinese only where it asks for Chinese, not for --lang zh alone,
		 * so a transcript's results read the same in either language. */
		if (language_choose(NULL, true, NULL) != LANGUAGE_ZH)
			bindtextdomain("libc", "/nonexistent");
		setenv("LANGUAGE", language_po_name(language), 1);
		const char *messages = setlocale(LC_MESSAGES, "");
		if (!messages || strcmp(messages, "C") == 0 || strcmp(messages, "POSIX") == 0)
			setlocale(LC_MESSAGES, "C.UTF-8");   /* zh_CN.UTF-8 not generated here */
	} else {
		setlocale(LC_MESSAGES, "C");
	}
	char buf[PATH_MAX];
	bindtextdomain("socklab", locale_dir(buf, sizeof buf));
	bind_textdomain_codeset("socklab", "UTF-8");
	textdomain("socklab");
}
