// PgCluster: a throwaway PostgreSQL cluster for the store tests, from Debian's `postgresql`
// package: initdb + pg_ctl on a temporary directory, listening on 127.0.0.1 and a free port.
// Started once per test process, on first use (so other modules' tests never pay for it),
// and removed at exit by a watchdog process that also cleans up after a crashed test.
#pragma once

#include <fcntl.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <pwd.h>
#include <sys/socket.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <thread>

#include "core/result.h"
#include "store/detail/postgres_connection.h"

namespace plinth::store::testing {

class PgCluster {
 public:
  // The process's cluster, started on the first call. An error (with the server's log) when
  // PostgreSQL cannot be started: tests must then fail, never skip.
  static Result<PgCluster*> shared() {
    static std::mutex mutex;
    static std::optional<Result<PgCluster*>> started;
    std::lock_guard lock(mutex);
    if (!started) {
      static PgCluster cluster;
      Status s = cluster.start();
      started = s.ok() ? Result<PgCluster*>(&cluster) : Result<PgCluster*>(s.error());
    }
    return *started;
  }

  // Stops the cluster and removes its directory; waits until that is done. Idempotent.
  static void shut_down_if_started() { instance_stop(); }

  std::string conninfo(const std::string& database) const {
    return "host=127.0.0.1 port=" + std::to_string(port_) + " user=plinth dbname=" + database +
           " connect_timeout=5";
  }

  // A fresh, empty database for one test.
  Result<std::string> create_database() {
    const std::string name = "plinth_test_" + std::to_string(++databases_);
    auto admin = detail::PostgresConnection::open(conninfo("postgres"));
    if (!admin.ok()) return std::move(admin).error();
    Status s = (*admin)->run_script("CREATE DATABASE " + name);
    if (!s.ok()) return std::move(s).error();
    return name;
  }

  Status drop_database(const std::string& name) {
    auto admin = detail::PostgresConnection::open(conninfo("postgres"));
    if (!admin.ok()) return std::move(admin).error();
    return (*admin)->run_script("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
  }

 private:
  PgCluster() { registered() = this; }

  static PgCluster*& registered() {
    static PgCluster* p = nullptr;
    return p;
  }
  static void instance_stop() {
    if (PgCluster* p = registered(); p && p->watchdog_ > 0) {
      ::close(p->watchdog_pipe_);  // the watchdog reads EOF, stops the server, removes the dir
      int status = 0;
      ::waitpid(p->watchdog_, &status, 0);
      p->watchdog_ = -1;
    }
  }

  static std::string bindir() {
    if (const char* env = std::getenv("PLINTH_PG_BINDIR"); env && *env) return env;
    std::string best;
    int best_version = -1;
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator("/usr/lib/postgresql", ec)) {
      const int v = std::atoi(e.path().filename().c_str());
      if (v > best_version && std::filesystem::exists(e.path() / "bin" / "initdb")) {
        best_version = v;
        best = (e.path() / "bin").string();
      }
    }
    return best;
  }

  // initdb and postgres refuse to run as root: run them as an unprivileged user then.
  static std::string as_user_prefix(std::string& user) {
    if (::geteuid() != 0) return "";
    user = ::getpwnam("postgres") ? "postgres" : "nobody";
    return "runuser -u " + user + " -- ";
  }

  // initdb writes ~40 MB: on tmpfs it takes a third of the time it takes on disk. Small
  // /dev/shm mounts (containers often have 64 MB) fall back to the temporary directory.
  static std::string scratch_root() {
    struct statvfs fs {};
    if (::access("/dev/shm", W_OK) == 0 && ::statvfs("/dev/shm", &fs) == 0 &&
        static_cast<unsigned long long>(fs.f_bavail) * fs.f_frsize > (512ull << 20)) {
      return "/dev/shm";
    }
    return std::filesystem::temp_directory_path().string();
  }

  static int free_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    int port = 0;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
      port = ntohs(addr.sin_port);
    }
    ::close(fd);
    return port;
  }

  static std::string tail(const std::string& path) {
    std::ifstream in(path);
    std::stringstream s;
    s << in.rdbuf();
    std::string text = s.str();
    return text.size() > 2000 ? text.substr(text.size() - 2000) : text;
  }

  Status fail(const std::string& what) {
    return Error{ErrorCode::kUnavailable, "cannot start the test PostgreSQL cluster: " + what +
                                              "\n--- initdb.log\n" + tail(dir_ + "/initdb.log") +
                                              "\n--- server.log\n" + tail(dir_ + "/server.log") +
                                              "\n--- pg_ctl.log\n" + tail(dir_ + "/pg_ctl.log")};
  }

  // Forks a process that waits for this one to close the pipe (or die), then stops the
  // server and removes the directory. Everything it needs is prepared before the fork.
  void start_watchdog(const std::string& cleanup) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) return;
    const pid_t pid = ::fork();
    if (pid == 0) {
      ::setsid();  // outlive a Ctrl-C sent to the test's process group
      ::close(fds[1]);
      char c;
      for (;;) {
        const ssize_t n = ::read(fds[0], &c, 1);
        if (n == 0 || (n < 0 && errno != EINTR)) break;
      }
      const int null = ::open("/dev/null", O_RDWR);
      ::dup2(null, 0);
      ::dup2(null, 1);
      ::dup2(null, 2);
      ::execl("/bin/sh", "sh", "-c", cleanup.c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
    ::close(fds[0]);
    if (pid > 0) {
      watchdog_ = pid;
      watchdog_pipe_ = fds[1];
    } else {
      ::close(fds[1]);
    }
  }

  Status start() {
    const std::string bin = bindir();
    if (bin.empty()) {
      return Error{ErrorCode::kUnavailable,
                   "cannot start the test PostgreSQL cluster: no /usr/lib/postgresql/*/bin/initdb "
                   "(apt-get install postgresql, or set PLINTH_PG_BINDIR)"};
    }
    std::string templ = scratch_root() + "/plinth-pg-XXXXXX";
    if (!::mkdtemp(templ.data())) return Error{ErrorCode::kUnavailable, "mkdtemp failed"};
    dir_ = templ;
    std::string user;
    const std::string as_user = as_user_prefix(user);
    if (!user.empty()) {
      if (const passwd* pw = ::getpwnam(user.c_str());
          !pw || ::chown(dir_.c_str(), pw->pw_uid, pw->pw_gid) != 0) {
        return fail("cannot hand " + dir_ + " to user " + user);
      }
    }
    const std::string data = dir_ + "/data";
    start_watchdog(as_user + bin + "/pg_ctl -D " + data + " -m immediate -w -t 30 stop; rm -rf " +
                   dir_);
    if (std::system((as_user + bin + "/initdb -D " + data +
                     " -U plinth --auth=trust --no-sync --no-instructions -E UTF8 --locale=C > " +
                     dir_ + "/initdb.log 2>&1")
                        .c_str()) != 0) {
      return fail("initdb failed");
    }
    // A port found free may be taken before the server binds it (tests run in parallel):
    // try a few.
    for (int attempt = 0; attempt < 5; ++attempt) {
      port_ = free_port();
      const std::string options = "-c listen_addresses=127.0.0.1 -p " + std::to_string(port_) +
                                  " -c unix_socket_directories=" + dir_ +
                                  " -c fsync=off -c synchronous_commit=off"
                                  " -c full_page_writes=off -c max_connections=50";
      if (std::system((as_user + bin + "/pg_ctl -D " + data + " -l " + dir_ +
                       "/server.log -w -t 30 -o '" + options + "' start > " + dir_ +
                       "/pg_ctl.log 2>&1")
                          .c_str()) == 0) {
        return wait_ready();
      }
    }
    return fail("pg_ctl start failed");
  }

  Status wait_ready() {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    const std::string info = conninfo("postgres");
    while (std::chrono::steady_clock::now() < deadline) {
      if (PQping(info.c_str()) == PQPING_OK) return {};
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return fail("the server did not accept connections within 30 s");
  }

  std::string dir_;
  int port_ = 0;
  pid_t watchdog_ = -1;
  int watchdog_pipe_ = -1;
  std::atomic<int> databases_{0};
};

}  // namespace plinth::store::testing
