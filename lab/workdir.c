/* workdir — the lab's working directory (workdir.h). */
#include "workdir.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "text.h"

static void workdir_clear(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct dirent *entry;
	while ((entry = readdir(d)))
		if (strcmp(entry->d_name, ".") && strcmp(entry->d_name, ".."))
			unlinkat(dirfd(d), entry->d_name, 0);
	closedir(d);
}

/* A lab killed with SIGKILL cannot remove its host-path directory; its
 * name carries its pid, so the next lab of the same user removes it. */
static void workdir_remove_stale(const char *base)
{
	DIR *dir = opendir(base);
	if (!dir)
		return;
	struct dirent *entry;
	while ((entry = readdir(dir))) {
		int pid;
		char rest[16];
		if (sscanf(entry->d_name, "socklab-%d-%15s", &pid, rest) != 2 || pid <= 0)
			continue;
		struct stat st;
		if (fstatat(dirfd(dir), entry->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0
		    || !S_ISDIR(st.st_mode) || st.st_uid != geteuid() || kill(pid, 0) == 0
		    || errno != ESRCH)
			continue;
		char path[512];
		snprintf(path, sizeof path, "%s/%s", base, entry->d_name);
		workdir_clear(path);
		rmdir(path);
	}
	closedir(dir);
}

int workdir_make(struct workdir *dir, struct sandbox *sandbox, char **err)
{
	dir->fd = sandbox_private_dir(sandbox, NULL);
	if (dir->fd >= 0)
		return 0;
	if (dir->path[0])
		return 0;   /* the host path keeps its directory across restarts */
	const char *base = getenv("TMPDIR");
	if (!base || !*base || strlen(base) > 32)
		base = "/tmp";
	workdir_remove_stale(base);
	snprintf(dir->path, sizeof dir->path, "%s/socklab-%d-XXXXXX", base, (int)getpid());
	if (!mkdtemp(dir->path)) {
		dir->path[0] = '\0';
		return text_error(err, "cannot make a working directory in %s: %s", base,
				  strerror(errno));
	}
	return 0;
}

void workdir_done(struct workdir *dir, bool remove)
{
	if (dir->fd >= 0)
		close(dir->fd);
	dir->fd = -1;
	if (dir->path[0]) {
		workdir_clear(dir->path);
		if (remove) {
			rmdir(dir->path);
			dir->path[0] = '\0';
		}
	}
}
