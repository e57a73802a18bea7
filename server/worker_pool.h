// A fixed pool of threads for blocking work (RocksDB reads and synced
// writes), so that gRPC's callback threads are never blocked on a disk.

#ifndef EVALD_SERVER_WORKER_POOL_H_
#define EVALD_SERVER_WORKER_POOL_H_

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace evald::server {

class WorkerPool {
 public:
  explicit WorkerPool(int threads);
  // Runs every task already submitted, then joins the threads.
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  void Submit(std::function<void()> task);

 private:
  void Run();

  std::mutex mu_;
  std::condition_variable ready_;
  std::deque<std::function<void()>> tasks_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace evald::server

#endif  // EVALD_SERVER_WORKER_POOL_H_
