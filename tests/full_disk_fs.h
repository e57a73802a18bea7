// Test support: a RocksDB FileSystem that can run out of space on demand.
// While Fill() is in force, every append, flush and sync of a file being
// written fails with ENOSPC (IOStatus::NoSpace), as a full disk would make
// them; Free() ends it. Reads are never affected.

#ifndef EVALD_TESTS_FULL_DISK_FS_H_
#define EVALD_TESTS_FULL_DISK_FS_H_

#include <atomic>
#include <memory>
#include <string>

#include "rocksdb/env.h"
#include "rocksdb/file_system.h"

namespace evald::testing {

class FullDiskFileSystem : public rocksdb::FileSystemWrapper {
 public:
  FullDiskFileSystem()
      : rocksdb::FileSystemWrapper(rocksdb::FileSystem::Default()) {}

  static const char* kClassName() { return "FullDiskFileSystem"; }
  const char* Name() const override { return kClassName(); }

  void Fill() { full_.store(true); }
  void Free() { full_.store(false); }
  int refused() const { return refused_.load(); }

  rocksdb::IOStatus NewWritableFile(
      const std::string& name, const rocksdb::FileOptions& options,
      std::unique_ptr<rocksdb::FSWritableFile>* file,
      rocksdb::IODebugContext* dbg) override {
    if (Full()) return rocksdb::IOStatus::NoSpace("no space (test)");
    rocksdb::IOStatus s = target()->NewWritableFile(name, options, file, dbg);
    if (s.ok()) *file = std::make_unique<File>(std::move(*file), this);
    return s;
  }

 private:
  bool Full() {
    if (!full_.load()) return false;
    ++refused_;
    return true;
  }

  class File : public rocksdb::FSWritableFileOwnerWrapper {
   public:
    File(std::unique_ptr<rocksdb::FSWritableFile> target,
         FullDiskFileSystem* fs)
        : rocksdb::FSWritableFileOwnerWrapper(std::move(target)), fs_(fs) {}
    rocksdb::IOStatus Append(const rocksdb::Slice& data,
                             const rocksdb::IOOptions& options,
                             rocksdb::IODebugContext* dbg) override {
      if (fs_->Full()) return rocksdb::IOStatus::NoSpace("no space (test)");
      return target()->Append(data, options, dbg);
    }
    rocksdb::IOStatus Append(const rocksdb::Slice& data,
                             const rocksdb::IOOptions& options,
                             const rocksdb::DataVerificationInfo& info,
                             rocksdb::IODebugContext* dbg) override {
      if (fs_->Full()) return rocksdb::IOStatus::NoSpace("no space (test)");
      return target()->Append(data, options, info, dbg);
    }
    rocksdb::IOStatus Flush(const rocksdb::IOOptions& options,
                            rocksdb::IODebugContext* dbg) override {
      if (fs_->Full()) return rocksdb::IOStatus::NoSpace("no space (test)");
      return target()->Flush(options, dbg);
    }
    rocksdb::IOStatus Sync(const rocksdb::IOOptions& options,
                           rocksdb::IODebugContext* dbg) override {
      if (fs_->Full()) return rocksdb::IOStatus::NoSpace("no space (test)");
      return target()->Sync(options, dbg);
    }
    rocksdb::IOStatus Fsync(const rocksdb::IOOptions& options,
                            rocksdb::IODebugContext* dbg) override {
      if (fs_->Full()) return rocksdb::IOStatus::NoSpace("no space (test)");
      return target()->Fsync(options, dbg);
    }

   private:
    FullDiskFileSystem* fs_;
  };

  std::atomic<bool> full_{false};
  std::atomic<int> refused_{0};
};

}  // namespace evald::testing

#endif  // EVALD_TESTS_FULL_DISK_FS_H_
