// What the syscalls an event loop makes per chunk cost on this machine, warm, one core:
// a recv that finds nothing (EAGAIN), an epoll_wait that polls, an epoll_ctl MOD.
//   gcc -O2 -o /tmp/syscall_cost bench/probes/syscall_cost.c && taskset -c 0 /tmp/syscall_cost
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static double now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e9 + t.tv_nsec;
}

int main(void) {
  enum { kRounds = 1000000 };
  int listener = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in addr = {0};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (bind(listener, (struct sockaddr*)&addr, sizeof addr) != 0 || listen(listener, 1) != 0 ||
      getsockname(listener, (struct sockaddr*)&addr, &len) != 0) {
    perror("listen");
    return 1;
  }
  int client = socket(AF_INET, SOCK_STREAM, 0);
  if (connect(client, (struct sockaddr*)&addr, sizeof addr) != 0) {
    perror("connect");
    return 1;
  }
  int server = accept(listener, NULL, NULL);
  fcntl(server, F_SETFL, O_NONBLOCK);
  char buffer[2048];

  double start = now_ns();
  for (int i = 0; i < kRounds; ++i) recv(server, buffer, sizeof buffer, 0);
  printf("recv finding nothing (EAGAIN): %.0f ns\n", (now_ns() - start) / kRounds);

  int ep = epoll_create1(0);
  struct epoll_event ev = {.events = EPOLLIN | EPOLLET};
  epoll_ctl(ep, EPOLL_CTL_ADD, server, &ev);
  struct epoll_event ready[128];
  start = now_ns();
  for (int i = 0; i < kRounds; ++i) epoll_wait(ep, ready, 128, 0);
  printf("epoll_wait polling (timeout 0): %.0f ns\n", (now_ns() - start) / kRounds);

  start = now_ns();
  for (int i = 0; i < kRounds; ++i) {
    ev.events = EPOLLIN | EPOLLET | ((i & 1) ? EPOLLOUT : 0);
    epoll_ctl(ep, EPOLL_CTL_MOD, server, &ev);
  }
  printf("epoll_ctl MOD: %.0f ns\n", (now_ns() - start) / kRounds);
  close(ep);
  close(client);
  close(server);
  close(listener);
  return 0;
}
