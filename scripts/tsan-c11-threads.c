/* Test-only LD_PRELOAD shim for ThreadSanitizer: librdkafka uses C11 threads (thrd_*, mtx_*,
 * cnd_*, call_once), which glibc implements with internal pthread calls that TSan's
 * interceptors never see, so TSan knows neither librdkafka's threads nor its locks. These
 * definitions route each C11 call through the public pthread function TSan intercepts.
 * glibc's thrd_t, mtx_t, cnd_t and once_flag share the pthread types' layout. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <threads.h>

static int result(int err) {
        if (!err) return thrd_success;
        if (err == ENOMEM) return thrd_nomem;
        if (err == EBUSY) return thrd_busy;
        if (err == ETIMEDOUT) return thrd_timedout;
        return thrd_error;
}

struct start { thrd_start_t func; void *arg; };

static void *trampoline(void *p) {
        struct start s = *(struct start *)p;
        free(p);
        return (void *)(intptr_t)s.func(s.arg);
}

int thrd_create(thrd_t *thr, thrd_start_t func, void *arg) {
        struct start *s = malloc(sizeof(*s));
        if (!s) return thrd_nomem;
        s->func = func;
        s->arg  = arg;
        int err = pthread_create((pthread_t *)thr, NULL, trampoline, s);
        if (err) free(s);
        return result(err);
}

int thrd_join(thrd_t thr, int *res) {
        void *value = NULL;
        int err = pthread_join((pthread_t)thr, &value);
        if (!err && res) *res = (int)(intptr_t)value;
        return result(err);
}

int thrd_detach(thrd_t thr) { return result(pthread_detach((pthread_t)thr)); }

int mtx_init(mtx_t *mtx, int type) {
        pthread_mutexattr_t attr;
        pthread_mutexattr_init(&attr);
        if (type & mtx_recursive) pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
        int err = pthread_mutex_init((pthread_mutex_t *)mtx, &attr);
        pthread_mutexattr_destroy(&attr);
        return result(err);
}
int mtx_lock(mtx_t *mtx) { return result(pthread_mutex_lock((pthread_mutex_t *)mtx)); }
int mtx_trylock(mtx_t *mtx) { return result(pthread_mutex_trylock((pthread_mutex_t *)mtx)); }
int mtx_timedlock(mtx_t *restrict mtx, const struct timespec *restrict ts) {
        return result(pthread_mutex_timedlock((pthread_mutex_t *)mtx, ts));
}
int mtx_unlock(mtx_t *mtx) { return result(pthread_mutex_unlock((pthread_mutex_t *)mtx)); }
void mtx_destroy(mtx_t *mtx) { pthread_mutex_destroy((pthread_mutex_t *)mtx); }

int cnd_init(cnd_t *cnd) { return result(pthread_cond_init((pthread_cond_t *)cnd, NULL)); }
int cnd_signal(cnd_t *cnd) { return result(pthread_cond_signal((pthread_cond_t *)cnd)); }
int cnd_broadcast(cnd_t *cnd) { return result(pthread_cond_broadcast((pthread_cond_t *)cnd)); }
int cnd_wait(cnd_t *cnd, mtx_t *mtx) { return result(pthread_cond_wait((pthread_cond_t *)cnd, (pthread_mutex_t *)mtx)); }
int cnd_timedwait(cnd_t *restrict cnd, mtx_t *restrict mtx, const struct timespec *restrict ts) {
        return result(pthread_cond_timedwait((pthread_cond_t *)cnd, (pthread_mutex_t *)mtx, ts));
}
void cnd_destroy(cnd_t *cnd) { pthread_cond_destroy((pthread_cond_t *)cnd); }

void call_once(once_flag *flag, void (*func)(void)) { pthread_once((pthread_once_t *)flag, func); }
