#include "storage/etcd_store.h"

#include <algorithm>
#include <limits>
#include <map>
#include <set>
#include <tuple>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "common/sha256.h"
#include "storage/counters.h"
#include "storage/etcd_command_reads.h"
#include "storage/etcd_records.h"
#include "storage/keys.h"

namespace evald::storage {

using etcd::kAudit;
using etcd::kState;
using etcd::Parse;
using etcd::Unreachable;

namespace {

constexpr int kScanPage = 500;

std::string WebhookCursorKey(absl::string_view endpoint) {
  return absl::StrCat("webhook-cursor/", endpoint);
}
std::string WebhookLogKey(absl::string_view endpoint, int64_t cursor) {
  return absl::StrCat("webhook-log/", endpoint, "/",
                      absl::StrFormat("%020d", cursor));
}

int ClampPageSize(int page_size) {
  if (page_size <= 0) return 100;
  return page_size > 1000 ? 1000 : page_size;
}

// The audit events of a Range response, each with its cursor: sorted by
// (revision, key), numbered within their revision.
std::vector<std::pair<int64_t, const mvccpb::KeyValue*>> Numbered(
    const etcdserverpb::RangeResponse& r) {
  std::vector<const mvccpb::KeyValue*> kvs;
  for (const mvccpb::KeyValue& kv : r.kvs()) kvs.push_back(&kv);
  std::sort(kvs.begin(), kvs.end(), [](const auto* a, const auto* b) {
    if (a->mod_revision() != b->mod_revision()) {
      return a->mod_revision() < b->mod_revision();
    }
    return a->key() < b->key();
  });
  std::vector<std::pair<int64_t, const mvccpb::KeyValue*>> out;
  int64_t revision = -1, place = 0;
  for (const mvccpb::KeyValue* kv : kvs) {
    place = kv->mod_revision() == revision ? place + 1 : 0;
    revision = kv->mod_revision();
    out.emplace_back(revision * kCursorsPerRevision + place, kv);
  }
  return out;
}

}  // namespace

// ------------------------------------------------------------------ open

absl::StatusOr<std::unique_ptr<EtcdStore>> EtcdStore::Open(
    const EtcdStoreOptions& options) {
  if (options.endpoints.empty()) {
    return absl::InvalidArgumentError(
        "--etcd_endpoints: name at least one member, host:port");
  }
  if (options.prefix.empty() || options.prefix.back() != '/') {
    return absl::InvalidArgumentError(absl::StrCat(
        "--etcd_prefix: \"", options.prefix, "\" must end in '/'"));
  }
  auto store = std::unique_ptr<EtcdStore>(new EtcdStore(
      EtcdKv::Connect(options.endpoints, options.deadline, options.tls),
      options));
  // The feed's latest position: the newest audit revision and how many
  // events it holds.
  etcdserverpb::RangeRequest newest;
  newest.set_key(store->AuditKey(""));
  newest.set_range_end(keys::PrefixEnd(store->AuditKey("")));
  newest.set_sort_target(etcdserverpb::RangeRequest::MOD);
  newest.set_sort_order(etcdserverpb::RangeRequest::DESCEND);
  newest.set_limit(1);
  newest.set_keys_only(true);
  absl::StatusOr<etcdserverpb::RangeResponse> r = store->kv_->Range(newest);
  if (!r.ok()) return Unreachable(r.status(), "opening read");
  const int64_t revision_now = r->header().revision();
  if (r->kvs_size() > 0) {
    etcdserverpb::RangeRequest count;
    count.set_key(newest.key());
    count.set_range_end(newest.range_end());
    count.set_min_mod_revision(r->kvs(0).mod_revision());
    count.set_count_only(true);
    absl::StatusOr<etcdserverpb::RangeResponse> n = store->kv_->Range(count);
    if (!n.ok()) return Unreachable(n.status(), "opening read");
    store->feed_latest_ = r->kvs(0).mod_revision() * kCursorsPerRevision +
                          std::max<int64_t>(n->count(), 1) - 1;
  }
  EtcdStore* raw = store.get();
  store->watcher_ =
      std::thread([raw, revision_now] { raw->WatchAudit(revision_now + 1); });
  store->prober_ = std::thread([raw] { raw->Probe(); });
  return store;
}

EtcdStore::EtcdStore(std::unique_ptr<EtcdKv> kv,
                     const EtcdStoreOptions& options)
    : kv_(std::move(kv)),
      prefix_(options.prefix),
      reads_(kv_.get(), EtcdTxnBatch::Mode::kFlat),
      writes_(kv_.get(), EtcdTxnBatch::Mode::kNested) {}

EtcdStore::~EtcdStore() {
  {
    absl::MutexLock lock(&watch_mu_);
    closing_ = true;
    if (watch_context_ != nullptr) watch_context_->TryCancel();
  }
  if (watcher_.joinable()) watcher_.join();
  closed_.Notify();
  if (prober_.joinable()) prober_.join();
}

void EtcdStore::Probe() {
  etcdserverpb::RangeRequest r;
  r.set_key(StateKey("meta/probe"));
  r.set_count_only(true);
  do {
    reachable_ = kv_->Range(r, kProbeDeadline).ok();
  } while (!closed_.WaitForNotificationWithTimeout(kProbeEvery));
}

std::string EtcdStore::StateKey(absl::string_view key) const {
  return absl::StrCat(prefix_, kState, key);
}
std::string EtcdStore::AuditKey(absl::string_view key) const {
  return absl::StrCat(prefix_, kAudit, key);
}

// ----------------------------------------------------------------- reads

absl::StatusOr<std::optional<std::string>> EtcdStore::GetRaw(
    const std::string& full_key) const {
  etcdserverpb::RangeRequest r;
  r.set_key(full_key);
  absl::StatusOr<etcdserverpb::RangeResponse> reply = kv_->Range(r);
  if (!reply.ok()) return Unreachable(reply.status(), "read");
  if (reply->kvs_size() == 0) return std::nullopt;
  return reply->kvs(0).value();
}

absl::Status EtcdStore::Scan(
    absl::string_view family, absl::string_view begin, absl::string_view end,
    const std::function<bool(absl::string_view, absl::string_view)>& fn,
    int64_t* at) const {
  const std::string base = absl::StrCat(prefix_, family);
  std::string from = absl::StrCat(base, begin);
  const std::string to =
      end.empty() ? keys::PrefixEnd(base) : absl::StrCat(base, end);
  // Every page at the revision of the first (or `at`'s), so that a scan
  // sees one moment of the store, not a mix of before and after a commit.
  int64_t revision = at != nullptr ? *at : 0;
  while (true) {
    etcdserverpb::RangeRequest r;
    r.set_key(from);
    r.set_range_end(to);
    r.set_limit(kScanPage);
    r.set_revision(revision);
    absl::StatusOr<etcdserverpb::RangeResponse> reply = kv_->Range(r);
    if (!reply.ok()) return Unreachable(reply.status(), "scan");
    if (revision == 0) {
      revision = reply->header().revision();
      if (at != nullptr) *at = revision;
    }
    for (const mvccpb::KeyValue& kv : reply->kvs()) {
      if (!fn(absl::string_view(kv.key()).substr(base.size()), kv.value())) {
        return absl::OkStatus();
      }
    }
    if (!reply->more() || reply->kvs_size() == 0) return absl::OkStatus();
    from = reply->kvs(reply->kvs_size() - 1).key() + '\0';
  }
}

template <typename Message>
absl::StatusOr<std::optional<Message>> EtcdStore::GetRecord(
    const std::string& key) const {
  absl::StatusOr<std::optional<std::string>> raw = GetRaw(StateKey(key));
  if (!raw.ok()) return raw.status();
  if (!*raw) return std::nullopt;
  return Parse<Message>(key, **raw);
}

template <typename Message>
absl::Status EtcdStore::ScanRecords(
    absl::string_view family, absl::string_view begin, absl::string_view end,
    const std::function<bool(absl::string_view, Message&)>& fn,
    int64_t* at) const {
  absl::Status error;
  absl::Status s = Scan(
      family, begin, end,
      [&](absl::string_view k, absl::string_view v) {
        absl::StatusOr<Message> m = Parse<Message>(k, v);
        if (!m.ok()) {
          error = m.status();
          return false;
        }
        return fn(k, *m);
      },
      at);
  return s.ok() ? error : s;
}

template <typename Message>
absl::StatusOr<std::vector<Message>> EtcdStore::ReadAll(
    absl::string_view prefix, int64_t* at) const {
  std::vector<Message> out;
  absl::Status s = ScanRecords<Message>(
      kState, prefix, keys::PrefixEnd(prefix),
      [&](absl::string_view, Message& m) {
        out.push_back(std::move(m));
        return true;
      },
      at);
  if (!s.ok()) return s;
  return out;
}

absl::StatusOr<std::shared_ptr<const RecordReader>> EtcdStore::CommandReads(
    const ReadPlan& plan) const {
  absl::StatusOr<std::shared_ptr<const EtcdCommandReads>> reads =
      EtcdCommandReads::Fetch(kv_.get(), &reads_, prefix_, plan);
  if (!reads.ok()) return reads.status();
  return std::shared_ptr<const RecordReader>(std::move(*reads));
}

absl::StatusOr<std::optional<v1::Project>> EtcdStore::GetProject(
    absl::string_view project_id) const {
  return GetRecord<v1::Project>(keys::Project(project_id));
}

absl::StatusOr<std::optional<v1::Evaluation>> EtcdStore::GetEvaluation(
    absl::string_view project_id, int year, v1::Phase phase) const {
  return GetRecord<v1::Evaluation>(keys::Evaluation(project_id, year, phase));
}

absl::StatusOr<std::vector<v1::Evaluation>> EtcdStore::ProjectEvaluations(
    absl::string_view project_id) const {
  return ReadAll<v1::Evaluation>(keys::EvaluationPrefix(project_id));
}

absl::StatusOr<std::vector<v1::Disbursement>> EtcdStore::ProjectDisbursements(
    absl::string_view project_id) const {
  return ReadAll<v1::Disbursement>(keys::TranchePrefix(project_id));
}

absl::StatusOr<std::optional<RequestRecord>> EtcdStore::GetRequest(
    absl::string_view principal, absl::string_view request_id) const {
  return GetRecord<RequestRecord>(keys::Request(principal, request_id));
}

absl::StatusOr<std::optional<v1::AuditEvent>> EtcdStore::LastAuditEvent(
    absl::string_view project_id) const {
  return GetRecord<v1::AuditEvent>(keys::AuditTip(project_id));
}

absl::StatusOr<std::vector<PrincipalRecord>> EtcdStore::ListPrincipals() const {
  return ReadAll<PrincipalRecord>(keys::kPrincipalPrefix);
}

absl::StatusOr<std::optional<std::string>> EtcdStore::GetOverdueMark(
    absl::string_view tranche) const {
  return GetRaw(StateKey(keys::OverdueMark(tranche)));
}

absl::StatusOr<bool> EtcdStore::HasMarker(absl::string_view name) const {
  absl::StatusOr<std::optional<std::string>> raw =
      GetRaw(StateKey(absl::StrCat("meta/", name)));
  if (!raw.ok()) return raw.status();
  return raw->has_value();
}

absl::Status EtcdStore::SetMarker(absl::string_view name) {
  return PutState(absl::StrCat("meta/", name), "1");
}

absl::StatusOr<std::optional<v1::Organisation>> EtcdStore::GetOrganisation(
    absl::string_view code) const {
  return GetRecord<v1::Organisation>(keys::Organisation(code));
}

absl::StatusOr<std::vector<v1::Organisation>> EtcdStore::ListOrganisations()
    const {
  return ReadAll<v1::Organisation>(keys::kOrganisationPrefix);
}

// ----------------------------------------------------------------- lists

template <typename Message>
absl::StatusOr<Page<Message>> EtcdStore::List(
    absl::string_view list, absl::string_view family, absl::string_view prefix,
    int page_size, absl::string_view page_token,
    const std::function<bool(const Message&)>& match) const {
  // A token is the list's filter and the last key it returned: bound to
  // its list, as RocksDB's are (another filter refuses it).
  std::string begin(prefix);
  if (!page_token.empty()) {
    const std::string raw = absl::HexStringToBytes(page_token);
    const std::string bound = absl::StrCat(list, "\n");
    if (absl::BytesToHexString(raw) != absl::AsciiStrToLower(page_token) ||
        !absl::StartsWith(raw, bound) ||
        !absl::StartsWith(absl::string_view(raw).substr(bound.size()),
                          prefix)) {
      return absl::InvalidArgumentError(
          "page_token: not a token of this list (start again without one)");
    }
    begin = raw.substr(bound.size()) + '\0';
  }
  const int limit = ClampPageSize(page_size);
  Page<Message> page;
  std::string last_key;
  absl::Status s = ScanRecords<Message>(
      family, begin, keys::PrefixEnd(prefix),
      [&](absl::string_view k, Message& m) {
        if (match && !match(m)) return true;
        if (page.items.size() == limit) {
          // One more matches: there is a next page.
          page.next_page_token =
              absl::BytesToHexString(absl::StrCat(list, "\n", last_key));
          return false;
        }
        *page.items.Add() = std::move(m);
        last_key = std::string(k);
        return true;
      });
  if (!s.ok()) return s;
  return page;
}

absl::StatusOr<Page<v1::Project>> EtcdStore::ListProjects(
    absl::string_view township, int page_size, absl::string_view page_token,
    const std::function<bool(const v1::Project&)>& visible) const {
  const std::string t(township);
  return List<v1::Project>(
      absl::StrCat("projects|", township), kState, keys::kProjectPrefix,
      page_size, page_token, [t, visible](const v1::Project& p) {
        return (t.empty() || p.township() == t) && (!visible || visible(p));
      });
}

absl::StatusOr<Page<v1::Evaluation>> EtcdStore::ListEvaluations(
    const EvaluationFilter& f, int page_size, absl::string_view page_token,
    const std::function<bool(const v1::Evaluation&)>& visible) const {
  const std::string prefix = f.project_id.empty()
                                 ? std::string(keys::kEvaluationPrefix)
                                 : keys::EvaluationPrefix(f.project_id);
  const std::string list =
      absl::StrCat("evaluations|", f.project_id, "|", f.township, "|", f.year,
                   "|", f.phase, "|", f.state);
  return List<v1::Evaluation>(
      list, kState, prefix, page_size, page_token,
      [f, visible](const v1::Evaluation& e) {
        if (!f.township.empty() && e.township() != f.township) return false;
        if (f.year != 0 && e.year() != f.year) return false;
        if (f.phase != v1::PHASE_UNSPECIFIED && e.phase() != f.phase) {
          return false;
        }
        if (f.state != v1::EVALUATION_STATE_UNSPECIFIED &&
            e.state() != f.state) {
          return false;
        }
        return !visible || visible(e);
      });
}

absl::StatusOr<Page<v1::Disbursement>> EtcdStore::ListDisbursements(
    const DisbursementFilter& f, int page_size, absl::string_view page_token,
    const std::function<bool(const v1::Disbursement&)>& visible) const {
  const std::string prefix = f.project_id.empty()
                                 ? std::string(keys::kTranchePrefix)
                                 : keys::TranchePrefix(f.project_id);
  const std::string list =
      absl::StrCat("tranches|", f.project_id, "|", f.township, "|", f.state);
  return List<v1::Disbursement>(
      list, kState, prefix, page_size, page_token,
      [f, visible](const v1::Disbursement& d) {
        if (!f.township.empty() && d.township() != f.township) return false;
        if (f.state != v1::DISBURSEMENT_STATE_UNSPECIFIED &&
            d.state() != f.state) {
          return false;
        }
        return !visible || visible(d);
      });
}

absl::StatusOr<Page<v1::AuditEvent>> EtcdStore::ListAudit(
    absl::string_view project_id, int page_size,
    absl::string_view page_token) const {
  return List<v1::AuditEvent>("audit", kAudit, keys::AuditPrefix(project_id),
                              page_size, page_token, {});
}

absl::StatusOr<Store::SummaryCounters> EtcdStore::Summary(
    absl::string_view township, int year) const {
  // The three families at one revision: one moment of the district.
  int64_t at = 0;
  absl::StatusOr<std::vector<v1::Project>> projects =
      ReadAll<v1::Project>(keys::kProjectPrefix, &at);
  if (!projects.ok()) return projects.status();
  std::set<std::string> terminated;
  for (const v1::Project& p : *projects) {
    if (p.terminated()) terminated.insert(p.project_id());
  }
  absl::StatusOr<std::vector<v1::Evaluation>> evaluations =
      ReadAll<v1::Evaluation>(keys::kEvaluationPrefix, &at);
  if (!evaluations.ok()) return evaluations.status();
  absl::StatusOr<std::vector<v1::Disbursement>> tranches =
      ReadAll<v1::Disbursement>(keys::kTranchePrefix, &at);
  if (!tranches.ok()) return tranches.status();
  Counters counters;
  for (const v1::Evaluation& e : *evaluations) {
    AddCounters(e, terminated.count(e.project_id()) > 0, +1, counters);
  }
  for (const v1::Disbursement& d : *tranches) AddCounters(d, +1, counters);
  SummaryCounters out;
  for (const auto& [key, n] : counters) {
    // {township}/{year}/{family}/{name}
    std::vector<std::string> parts = absl::StrSplit(key, '/');
    int key_year = 0;
    if (n == 0 || parts.size() != 4 || !absl::SimpleAtoi(parts[1], &key_year)) {
      continue;
    }
    if (!township.empty() && parts[0] != township) continue;
    if (year != 0 && key_year != year) continue;
    out[{parts[0], key_year}][absl::StrCat(parts[2], "/", parts[3])] = n;
  }
  return out;
}

// ---------------------------------------------------------------- writes

etcdserverpb::TxnRequest EtcdStore::TxnOf(const WriteSet& w) const {
  etcdserverpb::TxnRequest txn;
  auto put = [&](const std::string& key, const std::string& value) {
    etcdserverpb::PutRequest* p = txn.add_success()->mutable_request_put();
    p->set_key(key);
    p->set_value(value);
  };
  auto absent = [&](const std::string& key) {
    etcdserverpb::Compare* c = txn.add_compare();
    c->set_key(key);
    c->set_target(etcdserverpb::Compare::CREATE);
    c->set_result(etcdserverpb::Compare::EQUAL);
    c->set_create_revision(0);
  };
  auto replaces = [&](const std::string& key, const auto& put_of) {
    if (w.read_revision > 0) {
      // Unchanged since the command read it; an absent key counts as
      // revision 0, so this covers "still absent" too.
      etcdserverpb::Compare* c = txn.add_compare();
      c->set_key(key);
      c->set_target(etcdserverpb::Compare::MOD);
      c->set_result(etcdserverpb::Compare::LESS);
      c->set_mod_revision(w.read_revision + 1);
    } else if (!put_of.previous) {
      absent(key);
    } else {
      etcdserverpb::Compare* c = txn.add_compare();
      c->set_key(key);
      c->set_target(etcdserverpb::Compare::VALUE);
      c->set_result(etcdserverpb::Compare::EQUAL);
      c->set_value(put_of.previous->SerializeAsString());
    }
    put(key, put_of.record.SerializeAsString());
  };
  for (const Put<v1::Project>& p : w.projects) {
    replaces(StateKey(keys::Project(p.record.project_id())), p);
  }
  for (const Put<v1::Evaluation>& e : w.evaluations) {
    const v1::Evaluation& r = e.record;
    replaces(StateKey(keys::Evaluation(r.project_id(), r.year(), r.phase())),
             e);
  }
  for (const Put<v1::Disbursement>& d : w.disbursements) {
    const v1::Disbursement& r = d.record;
    replaces(StateKey(keys::Tranche(r.project_id(), r.year(), r.kind())), d);
  }
  std::map<std::string, const v1::AuditEvent*> tips;
  for (const v1::AuditEvent& event : w.events) {
    const std::string key =
        AuditKey(keys::Audit(event.project_id(), event.sequence()));
    absent(key);
    put(key, event.SerializeAsString());
    const v1::AuditEvent*& tip = tips[event.project_id()];
    if (tip == nullptr || tip->sequence() < event.sequence()) tip = &event;
  }
  for (const auto& [stream, tip] : tips) {
    put(StateKey(keys::AuditTip(stream)), tip->SerializeAsString());
  }
  for (const PrincipalRecord& p : w.principals) {
    put(StateKey(keys::Principal(p.name())), p.SerializeAsString());
  }
  for (const WriteSet::OverdueMark& m : w.overdue_marks) {
    put(StateKey(keys::OverdueMark(m.tranche)), m.due_date);
  }
  for (const v1::Organisation& o : w.organisations) {
    put(StateKey(keys::Organisation(o.code())), o.SerializeAsString());
  }
  if (w.request) {
    const std::string key =
        StateKey(keys::Request(w.request_principal, w.request_id));
    absent(key);
    put(key, w.request->SerializeAsString());
  }
  return txn;
}

absl::Status EtcdStore::Commit(const WriteSet& w) {
  const etcdserverpb::TxnRequest txn = TxnOf(w);
  if (txn.success_size() > kEtcdMaxTxnOps ||
      txn.compare_size() > kEtcdMaxTxnOps ||
      txn.ByteSizeLong() > kEtcdMaxRequestBytes) {
    return absl::InternalError(absl::StrCat(
        "storage: a command of ", txn.success_size(), " writes and ",
        txn.ByteSizeLong(), " bytes exceeds what one etcd Txn may hold (",
        kEtcdMaxTxnOps, " operations, ", kEtcdMaxRequestBytes,
        " bytes); nothing was written"));
  }
  absl::StatusOr<EtcdTxnBatch::Outcome> committed =
      writes_.Send(txn, static_cast<int64_t>(w.events.size()));
  if (!committed.ok()) return Unreachable(committed.status(), "commit");
  if (!committed->response.succeeded()) {
    return absl::AbortedError(
        "storage: another evald replica changed this record first; nothing "
        "was written");
  }
  if (committed->events_at_revision > 0) {
    AdvanceFeed(committed->response.header().revision() * kCursorsPerRevision +
                committed->events_at_revision - 1);
  }
  return absl::OkStatus();
}

absl::Status EtcdStore::PutState(const std::string& key,
                                 const std::string& value) {
  etcdserverpb::TxnRequest txn;
  etcdserverpb::PutRequest* p = txn.add_success()->mutable_request_put();
  p->set_key(StateKey(key));
  p->set_value(value);
  absl::StatusOr<etcdserverpb::TxnResponse> reply = kv_->Txn(txn);
  if (!reply.ok()) return Unreachable(reply.status(), "write");
  return absl::OkStatus();
}

// ------------------------------------------------------------------ feed

void EtcdStore::AdvanceFeed(int64_t cursor) const {
  int64_t seen = feed_latest_.load();
  while (cursor > seen && !feed_latest_.compare_exchange_weak(seen, cursor)) {
  }
  absl::MutexLock lock(&feed_mu_);
  ++wake_generation_;
}

void EtcdStore::WatchAudit(int64_t from_revision) {
  int64_t next = from_revision;
  while (true) {
    grpc::ClientContext context;
    {
      absl::MutexLock lock(&watch_mu_);
      if (closing_) return;
      watch_context_ = &context;
    }
    auto stream = kv_->Watch(&context);
    etcdserverpb::WatchRequest create;
    etcdserverpb::WatchCreateRequest* c = create.mutable_create_request();
    c->set_key(AuditKey(""));
    c->set_range_end(keys::PrefixEnd(AuditKey("")));
    c->set_start_revision(next);
    stream->Write(create);
    etcdserverpb::WatchResponse response;
    while (stream->Read(&response)) {
      std::map<int64_t, int64_t> per_revision;
      for (const mvccpb::Event& e : response.events()) {
        ++per_revision[e.kv().mod_revision()];
      }
      for (const auto& [revision, n] : per_revision) {
        AdvanceFeed(revision * kCursorsPerRevision + n - 1);
        next = std::max(next, revision + 1);
      }
      if (response.compact_revision() > 0) {
        next = std::max(next, response.compact_revision());
      }
      if (response.canceled()) {
        // etcd ends a watch whose start was compacted away but keeps the
        // stream open: end it, and watch again from what is kept.
        context.TryCancel();
        break;
      }
    }
    stream->Finish();
    {
      absl::MutexLock lock(&watch_mu_);
      watch_context_ = nullptr;
      if (closing_) return;
    }
    // The member went away: watch again, from where this watch was, on
    // whichever member the channel reaches next.
    absl::SleepFor(absl::Milliseconds(200));
  }
}

int64_t EtcdStore::WaitForFeed(int64_t after, absl::Duration timeout) const {
  absl::MutexLock lock(&feed_mu_);
  const int64_t generation = wake_generation_;
  auto moved = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(feed_mu_) {
    return feed_latest_.load() > after || wake_generation_ != generation;
  };
  feed_mu_.AwaitWithTimeout(absl::Condition(&moved), timeout);
  return feed_latest_.load();
}

void EtcdStore::WakeFeedWaiters() const {
  absl::MutexLock lock(&feed_mu_);
  ++wake_generation_;
}

absl::StatusOr<std::vector<Store::FeedEntry>> EtcdStore::ReadFeed(
    int64_t after, int limit) const {
  const int64_t latest = FeedLatest();
  etcdserverpb::RangeRequest r;
  r.set_key(AuditKey(""));
  r.set_range_end(keys::PrefixEnd(AuditKey("")));
  r.set_min_mod_revision(std::max<int64_t>(after / kCursorsPerRevision, 1));
  r.set_max_mod_revision(latest / kCursorsPerRevision);
  // In revision order, a page at a time: `limit` more than a revision can
  // hold, so that the page holds whole revisions but perhaps its last.
  r.set_sort_target(etcdserverpb::RangeRequest::MOD);
  r.set_sort_order(etcdserverpb::RangeRequest::ASCEND);
  r.set_limit(limit + kCursorsPerRevision);
  absl::StatusOr<etcdserverpb::RangeResponse> reply = kv_->Range(r);
  if (!reply.ok()) return Unreachable(reply.status(), "feed read");
  int64_t last_whole = std::numeric_limits<int64_t>::max();
  if (reply->more() && reply->kvs_size() > 0) {
    // The last revision of the page may go on beyond it.
    int64_t last = 0;
    for (const mvccpb::KeyValue& kv : reply->kvs()) {
      last = std::max(last, kv.mod_revision());
    }
    last_whole = last - 1;
  }
  std::vector<FeedEntry> out;
  for (const auto& [cursor, kv] : Numbered(*reply)) {
    if (kv->mod_revision() > last_whole) break;
    if (cursor <= after || cursor > latest) continue;
    if (static_cast<int>(out.size()) >= limit) break;
    absl::StatusOr<v1::AuditEvent> event =
        Parse<v1::AuditEvent>(kv->key(), kv->value());
    if (!event.ok()) return event.status();
    out.push_back(FeedEntry{cursor, *std::move(event)});
  }
  return out;
}

// The audit log is the feed and is never trimmed: every cursor from the
// first on is retained.
absl::StatusOr<int64_t> EtcdStore::FeedOldest() const { return 1; }

absl::StatusOr<int64_t> EtcdStore::TrimFeed(absl::Time) { return 0; }

// -------------------------------------------------------------- webhooks

absl::StatusOr<int64_t> EtcdStore::GetWebhookCursor(
    absl::string_view endpoint) const {
  absl::StatusOr<std::optional<std::string>> raw =
      GetRaw(StateKey(WebhookCursorKey(endpoint)));
  if (!raw.ok()) return raw.status();
  if (!*raw) return 0;
  int64_t cursor = 0;
  if (!absl::SimpleAtoi(**raw, &cursor)) {
    return absl::DataLossError(absl::StrCat("storage: the webhook cursor of ",
                                            endpoint, " is not a number"));
  }
  return cursor;
}

absl::Status EtcdStore::SetWebhookCursor(absl::string_view endpoint,
                                         int64_t cursor) {
  return PutState(WebhookCursorKey(endpoint), absl::StrCat(cursor));
}

absl::Status EtcdStore::RecordWebhookDelivery(const v1::WebhookDelivery& d) {
  etcdserverpb::TxnRequest txn;
  etcdserverpb::PutRequest* log = txn.add_success()->mutable_request_put();
  log->set_key(StateKey(WebhookLogKey(d.endpoint(), d.cursor())));
  log->set_value(d.SerializeAsString());
  etcdserverpb::PutRequest* cursor = txn.add_success()->mutable_request_put();
  cursor->set_key(StateKey(WebhookCursorKey(d.endpoint())));
  cursor->set_value(absl::StrCat(d.cursor()));
  absl::StatusOr<etcdserverpb::TxnResponse> reply = kv_->Txn(txn);
  if (!reply.ok()) return Unreachable(reply.status(), "webhook delivery");
  return absl::OkStatus();
}

absl::StatusOr<std::vector<v1::WebhookDelivery>>
EtcdStore::ListWebhookDeliveries(absl::string_view endpoint, int64_t after,
                                 int limit) const {
  std::vector<v1::WebhookDelivery> out;
  const std::string prefix = absl::StrCat("webhook-log/", endpoint, "/");
  absl::Status s = ScanRecords<v1::WebhookDelivery>(
      kState, WebhookLogKey(endpoint, after + 1), keys::PrefixEnd(prefix),
      [&](absl::string_view, v1::WebhookDelivery& d) {
        if (static_cast<int>(out.size()) >= limit) return false;
        out.push_back(std::move(d));
        return true;
      });
  if (!s.ok()) return s;
  return out;
}

// ----------------------------------------------------------------- tools

absl::Status EtcdStore::ForEachChainTip(
    const std::function<bool(const v1::AuditEvent&)>& fn) const {
  const std::string prefix = keys::AuditTip("");
  return ScanRecords<v1::AuditEvent>(
      kState, prefix, keys::PrefixEnd(prefix),
      [&](absl::string_view, v1::AuditEvent& e) { return fn(e); });
}

absl::Status EtcdStore::ForEachAuditEvent(
    const std::function<bool(const v1::AuditEvent&)>& fn) const {
  return ScanRecords<v1::AuditEvent>(
      kAudit, "", "",
      [&](absl::string_view, v1::AuditEvent& e) { return fn(e); });
}

absl::StatusOr<std::string> EtcdStore::ContentDigest() const {
  std::string all;
  absl::Status s = ForEachEntry(
      [&](absl::string_view family, absl::string_view k, absl::string_view v) {
        absl::StrAppend(&all, family, "|", k.size(), ":", k, v.size(), ":", v);
        return true;
      });
  if (!s.ok()) return s;
  return Sha256Hex(all);
}

absl::StatusOr<std::optional<std::string>> EtcdStore::GetEntry(
    absl::string_view family, absl::string_view key) const {
  if (family == "default") return GetRaw(StateKey(key));
  if (family == "audit") return GetRaw(AuditKey(key));
  return std::nullopt;
}

absl::Status EtcdStore::ForEachEntry(
    const std::function<bool(absl::string_view family, absl::string_view key,
                             absl::string_view value)>& fn) const {
  bool go_on = true;
  for (const auto& [name, family] :
       {std::pair{"default", kState}, std::pair{"audit", kAudit}}) {
    absl::Status s =
        Scan(family, "", "", [&](absl::string_view k, absl::string_view v) {
          go_on = fn(name, k, v);
          return go_on;
        });
    if (!s.ok()) return s;
    if (!go_on) break;
  }
  return absl::OkStatus();
}

}  // namespace evald::storage
