/* SPDX-License-Identifier: GPL-2.0 */
/* What /proc says of a process, for telling one from a later one. */
#ifndef VIREO_PROC_H
#define VIREO_PROC_H

#include <stdbool.h>
#include <sys/types.h>

/*
 * The start time of process pid (0: this one) in clock ticks since boot,
 * field 22 of /proc/PID/stat (proc(5)): with the pid, it names a process
 * for good, as pids are reused.  0 when there is no such process.
 */
unsigned long long proc_starttime(pid_t pid);

/*
 * Whether the program process pid runs was deleted or replaced on disk
 * since it started (/proc/PID/exe ends in " (deleted)", proc(5)): after
 * a package upgrade, a VM process that still runs the old vireo-vm.
 * False when it cannot tell (no such process, not ours to look at).
 */
bool proc_exe_replaced(pid_t pid);

#endif /* VIREO_PROC_H */
