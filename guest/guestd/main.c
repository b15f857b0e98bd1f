// SPDX-License-Identifier: GPL-2.0
/*
 * vireo-guestd: Vireo's guest additions daemon.  Run with no command, it
 * serves in the foreground until SIGTERM: it finds the VMMDev driver's
 * device (Linux's own vboxguest, or Vireo's guest driver), reports the
 * OS and the additions' version, keeps the guest's network and user
 * information current as guest properties, keeps the clock in step with
 * the host's, and powers the guest off (or reboots it) when the host asks
 * (`vmctl stop`) through the property GUESTPROP_POWER_REQUEST.  Its
 * facility (VirtualBox's "VBoxService", 100) is active while it serves
 * and inactive after a clean stop.
 *
 * With the guestproperty command it is the guest's command-line tool for
 * guest properties (VBoxControl's syntax): get, set, delete, enumerate,
 * wait.  docs/guest-additions.md says more.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <vmmdev/vbox_status.h>

#include "prop.h"
#include "safetext.h"
#include "timesync.h"
#include "vbg.h"
#include "vminfo.h"

/* The host's power request (userspace/vmmdev/svc_guestprop.h). */
#define POWER_REQUEST	"/VirtualBox/HostInfo/Vireo/PowerRequest"

#ifndef VIREO_VERSION
#define VIREO_VERSION	"0"
#endif

struct options {
	const char *device;
	bool verbose;
	bool timesync;
	uint32_t info_interval_ms;
	const char *poweroff_cmd, *reboot_cmd;
	struct timesync ts;
};

static volatile sig_atomic_t stopping;

static void on_signal(int sig)
{
	stopping = 1;
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: vireo-guestd [--device PATH] [--verbose] [--no-timesync]\n"
		"                    [--info-interval MS] [--timesync-interval MS]\n"
		"                    [--timesync-set-threshold MS] [--timesync-set-start]\n"
		"                    [--poweroff-command CMD] [--reboot-command CMD]\n"
		"       vireo-guestd guestproperty get NAME\n"
		"       vireo-guestd guestproperty set NAME [VALUE [--flags FLAGS]]\n"
		"       vireo-guestd guestproperty delete NAME\n"
		"       vireo-guestd guestproperty enumerate [--patterns PATTERNS]\n"
		"       vireo-guestd guestproperty wait PATTERNS [--timeout MS]\n"
		"\n"
		"Vireo's guest additions: serve the host in the foreground until\n"
		"SIGTERM, or work on guest properties.  The device is a VMMDev\n"
		"driver's (default %s: Linux's vboxguest or Vireo's own).\n"
		"\n"
		"  --info-interval MS        update network and user properties\n"
		"                            every MS (default 5000)\n"
		"  --timesync-interval MS    compare clocks every MS (default 10000)\n"
		"  --timesync-set-threshold MS  step the clock beyond MS off\n"
		"                            (default 1200000); slew it otherwise\n"
		"  --timesync-set-start      step the clock at the first round\n"
		"  --no-timesync             leave the clock alone\n"
		"  --poweroff-command CMD    run for the host's power-off request\n"
		"                            (default: systemctl poweroff under\n"
		"                            systemd, poweroff otherwise)\n"
		"  --reboot-command CMD      the same for a reboot request\n"
		"\n"
		"guestproperty get prints \"Value: V\", \"Timestamp: T\", \"Flags: F\"\n"
		"(exit 2 and \"No value set!\" when there is none); wait prints\n"
		"\"Name: N, value: V, flags: F\" for the first matching change, or\n"
		"exits 2 after --timeout.  Exit status 1: the host or the device\n"
		"refused.\n", VBG_DEVICE);
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The command's exit status, or -1. */
static int run_command(const char *cmd)
{
	pid_t pid = fork();
	int status;

	if (pid == 0) {
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static const char *default_power(bool reboot)
{
	if (!access("/run/systemd/system", F_OK))
		return reboot ? "systemctl reboot" : "systemctl poweroff";
	return reboot ? "reboot" : "poweroff";
}

/* The host asked: a clean power-off or reboot, by the guest's own means. */
static bool power_request(struct options *o, const struct prop_change *c)
{
	bool reboot = !strcmp(c->value, "reboot");

	if (c->deleted || (!reboot && strcmp(c->value, "poweroff")))
		return false;
	const char *cmd = reboot ? (o->reboot_cmd ? o->reboot_cmd :
				    default_power(true)) :
				   (o->poweroff_cmd ? o->poweroff_cmd :
				    default_power(false));
	int status;

	fprintf(stderr, "vireo-guestd: the host asks for a %s\n", c->value);
	status = run_command(cmd);
	/* It failed: the guest goes on, and so does the daemon. */
	if (status) {
		fprintf(stderr, "vireo-guestd: %s: exit status %d\n", cmd,
			status);
		return false;
	}
	return true;
}

static int serve(struct options *o)
{
	struct prop_client pc;
	struct vminfo vi;
	struct sigaction sa = { .sa_handler = on_signal };
	uint64_t since = 0, next_ts = 0, next_info = 0;
	int fd = vbg_open(o->device), rc;
	bool asked = false;

	if (fd < 0)
		return 1;
	rc = prop_connect(&pc, fd);
	if (rc < 0) {
		fprintf(stderr, "vireo-guestd: the host's guest property service: status %d\n",
			rc);
		return 1;
	}
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	vbg_report_status(fd, VMMDEV_FACILITY_SERVICE, VMMDEV_FACILITY_INIT);
	vminfo_init(&vi, &pc);
	vminfo_os(&vi, VIREO_VERSION);
	o->ts.fd = fd;
	vbg_report_status(fd, VMMDEV_FACILITY_SERVICE, VMMDEV_FACILITY_ACTIVE);
	fprintf(stderr, "vireo-guestd: serving (additions %s)\n",
		VIREO_VERSION);
	while (!stopping && !asked) {
		uint64_t now = now_ms(), until;
		struct prop_change c;

		if (o->timesync && now >= next_ts) {
			timesync_round(&o->ts, o->verbose);
			next_ts = now + o->ts.interval_ms;
		}
		if (now >= next_info) {
			vminfo_round(&vi);
			next_info = now + o->info_interval_ms;
		}
		until = o->timesync && next_ts < next_info ? next_ts :
			next_info;
		now = now_ms();
		/*
		 * The wait for the host's request is the loop's sleep, a
		 * second at most: a SIGTERM that comes just before it is
		 * heard within a second.
		 */
		if (until > now + 1000)
			until = now + 1000;
		rc = prop_wait(&pc, POWER_REQUEST, &since,
			       until > now ? (uint32_t)(until - now) : 1, &c);
		if (rc >= 0)
			asked = power_request(o, &c);
		else if (rc != VERR_TIMEOUT && rc != VERR_INTERRUPTED)
			sleep(1);	/* not to spin on a broken channel */
	}
	vbg_report_status(fd, VMMDEV_FACILITY_SERVICE,
			  VMMDEV_FACILITY_TERMINATING);
	vminfo_stop(&vi);
	vbg_report_status(fd, VMMDEV_FACILITY_SERVICE,
			  VMMDEV_FACILITY_INACTIVE);
	prop_disconnect(&pc);
	fprintf(stderr, "vireo-guestd: stopped\n");
	return 0;
}

static void print_prop(void *arg, const char *name, const char *value,
		       uint64_t ts, const char *flags)
{
	printf("Name: %s, value: %s, timestamp: %llu, flags: %s\n",
	       safe_text(name), safe_text(value), (unsigned long long)ts,
	       safe_text(flags));
}

static int fail(const char *what, int rc)
{
	fprintf(stderr, "vireo-guestd: %s: VirtualBox status %d\n", what, rc);
	return 1;
}

static int cmd_guestproperty(const char *device, int argc, char **argv)
{
	struct prop_client pc;
	struct prop_value v;
	struct prop_change c;
	const char *verb = argc > 0 ? argv[0] : "", *flags = NULL;
	const char *patterns = "";
	uint32_t timeout = 0xffffffff;
	uint64_t since = 0;
	int fd, rc, i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--flags") && i + 1 < argc) {
			flags = argv[++i];
		} else if (!strcmp(argv[i], "--timeout") && i + 1 < argc) {
			timeout = strtoul(argv[++i], NULL, 10);
		} else if (!strcmp(argv[i], "--patterns") && i + 1 < argc) {
			patterns = argv[++i];
		} else if (!strcmp(argv[i], "--timestamp") && i + 1 < argc) {
			since = strtoull(argv[++i], NULL, 10);
		} else if (argv[i][0] == '-') {
			usage(stderr);
			return 2;
		}
	}
	if (!strcmp(verb, "enumerate") && argc > 1 && argv[1][0] != '-')
		patterns = argv[1];
	if (strcmp(verb, "enumerate") && (argc < 2 || argv[1][0] == '-')) {
		usage(stderr);
		return 2;
	}
	fd = vbg_open(device);
	if (fd < 0)
		return 1;
	rc = prop_connect(&pc, fd);
	if (rc < 0)
		return fail("connect", rc);
	if (!strcmp(verb, "get")) {
		rc = prop_get(&pc, argv[1], &v);
		if (rc == VERR_NOT_FOUND) {
			printf("No value set!\n");
			return 2;
		}
		if (rc < 0)
			return fail("get", rc);
		printf("Value: %s\nTimestamp: %llu\nFlags: %s\n",
		       safe_text(v.value), (unsigned long long)v.timestamp,
		       safe_text(v.flags));
	} else if (!strcmp(verb, "set")) {
		if (argc > 2 && argv[2][0] != '-')
			rc = prop_set(&pc, argv[1], argv[2], flags);
		else
			rc = prop_del(&pc, argv[1]);
		if (rc < 0)
			return fail("set", rc);
	} else if (!strcmp(verb, "delete") || !strcmp(verb, "unset")) {
		rc = prop_del(&pc, argv[1]);
		if (rc < 0)
			return fail("delete", rc);
	} else if (!strcmp(verb, "enumerate")) {
		rc = prop_enum(&pc, patterns, print_prop, NULL);
		if (rc < 0)
			return fail("enumerate", rc);
	} else if (!strcmp(verb, "wait")) {
		rc = prop_wait(&pc, argv[1], &since, timeout, &c);
		if (rc == VERR_TIMEOUT || rc == VERR_INTERRUPTED) {
			fprintf(stderr, "vireo-guestd: no change in time\n");
			return 2;
		}
		if (rc < 0)
			return fail("wait", rc);
		if (c.deleted)
			printf("Property %s was deleted\n", safe_text(c.name));
		else
			printf("Name: %s, value: %s, flags: %s\n",
			       safe_text(c.name), safe_text(c.value),
			       safe_text(c.flags));
		printf("Timestamp: %llu\n", (unsigned long long)c.timestamp);
	} else {
		usage(stderr);
		return 2;
	}
	prop_disconnect(&pc);
	return 0;
}

static int parse_ms(const char *s, uint32_t *out)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);

	if (!*s || *end || v > 0xfffffffeUL)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "device", required_argument, NULL, 'd' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "no-timesync", no_argument, NULL, 'T' },
		{ "info-interval", required_argument, NULL, 'I' },
		{ "timesync-interval", required_argument, NULL, 't' },
		{ "timesync-set-threshold", required_argument, NULL, 's' },
		{ "timesync-set-start", no_argument, NULL, 'S' },
		{ "poweroff-command", required_argument, NULL, 'P' },
		{ "reboot-command", required_argument, NULL, 'R' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 },
	};
	struct options o = {
		.device = VBG_DEVICE, .timesync = true,
		.info_interval_ms = 5000,
	};
	int c;

	timesync_init(&o.ts, -1);
	while ((c = getopt_long(argc, argv, "+d:vh", longopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			o.device = optarg;
			break;
		case 'v':
			o.verbose = true;
			break;
		case 'T':
			o.timesync = false;
			break;
		case 'I':
		case 't':
		case 's':
			if (parse_ms(optarg, c == 'I' ? &o.info_interval_ms :
				     c == 't' ? &o.ts.interval_ms :
				     &o.ts.set_threshold_ms) ||
			    (c != 's' && (c == 'I' ? o.info_interval_ms :
					  o.ts.interval_ms) < 50)) {
				fprintf(stderr, "vireo-guestd: %s: milliseconds (at least 50 for an interval)\n",
					optarg);
				return 2;
			}
			break;
		case 'S':
			o.ts.set_start = true;
			break;
		case 'P':
			o.poweroff_cmd = optarg;
			break;
		case 'R':
			o.reboot_cmd = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("vireo-guestd %s\n", VIREO_VERSION);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		if (strcmp(argv[optind], "guestproperty")) {
			usage(stderr);
			return 2;
		}
		return cmd_guestproperty(o.device, argc - optind - 1,
					 argv + optind + 1);
	}
	return serve(&o);
}
