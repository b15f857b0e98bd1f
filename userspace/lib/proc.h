/* SPDX-License-Identifier: GPL-2.0 */
/* What /proc says of a process, for telling one from a later one. */
#ifndef VIREO_PROC_H
#define VIREO_PROC_H

#include <sys/types.h>

/*
 * The start time of process pid (0: this one) in clock ticks since boot,
 * field 22 of /proc/PID/stat (proc(5)): with the pid, it names a process
 * for good, as pids are reused.  0 when there is no such process.
 */
unsigned long long proc_starttime(pid_t pid);

#endif /* VIREO_PROC_H */
