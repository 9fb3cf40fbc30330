#include "tuners/records.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "glog/logging.h"

namespace kiln::tuners {
namespace {

absl::Status Annotate(const absl::Status& status, absl::string_view where) {
  return absl::Status(status.code(), absl::StrCat(where, ": ", status.message()));
}

absl::StatusOr<MeasureResult> ResultFromJson(const tuning::Json& json) {
  MeasureResult result;
  absl::StatusOr<const tuning::Json*> costs =
      tuning::GetMember(json, "costs", tuning::Json::Type::kArray);
  if (!costs.ok()) return costs.status();
  for (const tuning::Json& cost : (*costs)->as_array()) {
    if (!cost.is_number() || !std::isfinite(cost.as_double()) ||
        cost.as_double() < 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          "costs must be finite numbers >= 0, found ", cost.Dump()));
    }
    result.costs.push_back(cost.as_double());
  }
  absl::StatusOr<std::string> error_name = tuning::GetString(json, "error_no");
  if (!error_name.ok()) return error_name.status();
  absl::StatusOr<MeasureErrorNo> error = ParseMeasureErrorName(*error_name);
  if (!error.ok()) return error.status();
  result.error_no = *error;
  if (result.error_no == MeasureErrorNo::kNoError && result.costs.empty()) {
    return absl::InvalidArgumentError("error_no NO_ERROR without costs");
  }
  absl::StatusOr<std::string> message = tuning::GetString(json, "error_msg");
  if (!message.ok()) return message.status();
  result.error_msg = *std::move(message);
  absl::StatusOr<double> all_cost = tuning::GetNumber(json, "all_cost");
  if (!all_cost.ok()) return all_cost.status();
  result.all_cost = *all_cost;
  absl::StatusOr<double> timestamp = tuning::GetNumber(json, "timestamp");
  if (!timestamp.ok()) return timestamp.status();
  result.timestamp = *timestamp;
  return result;
}

}  // namespace

std::string Record::WorkloadKey() const { return tuning::WorkloadKey(target, task_name, args); }

Record MakeRecord(const MeasureInput& input, const MeasureResult& result) {
  return Record{input.task->target, input.task->name, input.task->args,
                input.config.ToJson(), result};
}

tuning::Json RecordToJson(const Record& record) {
  tuning::Json::Array costs;
  for (double c : record.result.costs) costs.emplace_back(c);
  tuning::Json result{tuning::Json::Object{}};
  result.Set("costs", tuning::Json(std::move(costs)));
  result.Set("error_no", tuning::Json(MeasureErrorName(record.result.error_no)));
  result.Set("error_msg", tuning::Json(record.result.error_msg));
  result.Set("all_cost", tuning::Json(record.result.all_cost));
  result.Set("timestamp", tuning::Json(record.result.timestamp));

  tuning::Json json{tuning::Json::Object{}};
  json.Set("version", tuning::Json(kRecordsFormatVersion));
  json.Set("target", tuning::Json(record.target));
  json.Set("task", tuning::Json(record.task_name));
  json.Set("args", record.args);
  json.Set("config", record.config);
  json.Set("result", std::move(result));
  if (record.in_model) json.Set("in_model", tuning::Json(true));
  return json;
}

absl::StatusOr<Record> RecordFromJson(const tuning::Json& json) {
  absl::StatusOr<std::string> version = tuning::GetString(json, "version");
  if (!version.ok()) return version.status();
  if (*version != kRecordsFormatVersion) {
    return absl::InvalidArgumentError(absl::StrCat(
        "unsupported records version \"", *version, "\"; this kiln reads \"",
        kRecordsFormatVersion, "\""));
  }
  Record record;
  absl::StatusOr<std::string> target = tuning::GetString(json, "target");
  if (!target.ok()) return target.status();
  record.target = *std::move(target);
  absl::StatusOr<std::string> task = tuning::GetString(json, "task");
  if (!task.ok()) return task.status();
  record.task_name = *std::move(task);
  absl::StatusOr<const tuning::Json*> args =
      tuning::GetMember(json, "args", tuning::Json::Type::kArray);
  if (!args.ok()) return args.status();
  record.args = **args;
  absl::StatusOr<const tuning::Json*> config =
      tuning::GetMember(json, "config", tuning::Json::Type::kObject);
  if (!config.ok()) return config.status();
  absl::StatusOr<const tuning::Json*> entity =
      tuning::GetMember(**config, "entity", tuning::Json::Type::kArray);
  if (!entity.ok()) return Annotate(entity.status(), "config");
  record.config = **config;
  absl::StatusOr<const tuning::Json*> result =
      tuning::GetMember(json, "result", tuning::Json::Type::kObject);
  if (!result.ok()) return result.status();
  absl::StatusOr<MeasureResult> measured = ResultFromJson(**result);
  if (!measured.ok()) return Annotate(measured.status(), "result");
  record.result = *std::move(measured);
  if (const tuning::Json* in_model = json.Find("in_model"); in_model != nullptr) {
    if (!in_model->is_bool()) {
      return absl::InvalidArgumentError("\"in_model\" must be true or false");
    }
    record.in_model = in_model->as_bool();
  }
  return record;
}

// ---------------------------------------------------------------- writing

namespace {

// An exclusive lock on the whole records file while held: several tuning
// processes may append to one file, and each line must be whole and alone.
// (O_APPEND alone keeps one write() together on a local disk, but not a
// retried partial write, nor the repair of a failed one, nor on NFS.)
class FileLock {
 public:
  explicit FileLock(int fd) : fd_(fd) {
    while (flock(fd_, LOCK_EX) != 0 && errno == EINTR) {
    }
  }
  ~FileLock() { flock(fd_, LOCK_UN); }
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;

 private:
  int fd_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<RecordWriter>> RecordWriter::Open(
    const std::string& path) {
  int fd = open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    return absl::UnavailableError(absl::StrCat(
        "cannot open records file ", path, " for appending: ", strerror(errno)));
  }
  // A run killed mid-line leaves a partial last line; start on a fresh line
  // so the first new record is not glued onto it.
  const FileLock lock(fd);
  struct stat st;
  if (fstat(fd, &st) == 0 && st.st_size > 0) {
    int read_fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    char last = '\n';
    if (read_fd >= 0) {
      if (pread(read_fd, &last, 1, st.st_size - 1) != 1) last = '\n';
      close(read_fd);
    }
    if (last != '\n' && write(fd, "\n", 1) != 1) {
      int error = errno;
      close(fd);
      return absl::UnavailableError(
          absl::StrCat("cannot write to records file ", path, ": ",
                       strerror(error)));
    }
  }
  return std::unique_ptr<RecordWriter>(new RecordWriter(path, fd));
}

RecordWriter::~RecordWriter() { close(fd_); }

absl::Status RecordWriter::Append(const Record& record) {
  std::string line = RecordToJson(record).Dump();
  line.push_back('\n');
  const FileLock lock(fd_);
  struct stat st;
  const bool regular = fstat(fd_, &st) == 0 && S_ISREG(st.st_mode);
  const char* data = line.data();
  size_t left = line.size();
  while (left > 0) {
    ssize_t n = write(fd_, data, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      const int error = errno;
      // A full disk (or file size limit) may have taken part of the line:
      // cut it off, so the records before it stay a valid file and the
      // next append starts on a fresh line.
      if (regular && ftruncate(fd_, st.st_size) != 0) {
        return absl::DataLossError(absl::StrCat("cannot append to records file ", path_, ": ",
                                                strerror(error), ", and cannot remove the "
                                                "partial line either; its last line is cut"));
      }
      return absl::UnavailableError(absl::StrCat("cannot append to records file ", path_, ": ",
                                                 strerror(error), "; the records before are "
                                                 "intact"));
    }
    data += n;
    left -= static_cast<size_t>(n);
  }
  if (fsync(fd_) != 0 && errno != EINVAL) {  // EINVAL: e.g. a pipe
    return absl::UnavailableError(absl::StrCat(
        "cannot sync records file ", path_, ": ", strerror(errno)));
  }
  return absl::OkStatus();
}

// ---------------------------------------------------------------- reading

RecordsFile ParseRecords(absl::string_view text, absl::string_view source) {
  RecordsFile file;
  int line_number = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++line_number;
    if (absl::StripAsciiWhitespace(line).empty()) continue;
    absl::StatusOr<tuning::Json> json = tuning::ParseJson(line);
    absl::StatusOr<Record> record =
        json.ok() ? RecordFromJson(*json) : json.status();
    if (!record.ok()) {
      if (file.skipped_lines == 0) file.first_skipped_line = line_number;
      if (!absl::StartsWith(absl::StripLeadingAsciiWhitespace(line), "{")) {
        ++file.foreign_lines;
      }
      // A few lines say what is wrong; a file of garbage must not print a
      // line per line.
      if (++file.skipped_lines <= kSkippedLinesShown) {
        LOG(WARNING) << source << ":" << line_number
                     << ": skipped invalid record: " << record.status().message();
      }
      continue;
    }
    file.records.push_back(*std::move(record));
  }
  if (file.skipped_lines > kSkippedLinesShown) {
    LOG(WARNING) << source << ": skipped " << file.skipped_lines - kSkippedLinesShown
                 << " more invalid lines";
  }
  return file;
}

absl::StatusOr<RecordsFile> ReadRecords(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    int error = errno;
    if (error == ENOENT) {
      return absl::NotFoundError(absl::StrCat("no records file ", path));
    }
    return absl::UnavailableError(absl::StrCat(
        "cannot read records file ", path, ": ", strerror(error)));
  }
  std::stringstream text;
  text << in.rdbuf();
  if (in.bad()) {
    return absl::UnavailableError(
        absl::StrCat("error while reading records file ", path));
  }
  RecordsFile file = ParseRecords(text.str(), path);
  // Lines that are not even JSON objects, and not one record: some other
  // file, not a records file whose last line an interruption cut short.
  if (file.records.empty() && file.foreign_lines > 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, " is not a kiln records file: none of its ", file.skipped_lines,
                     " lines is a record (expected JSON lines as `kiln tune` writes them; line ",
                     file.first_skipped_line, " is not one)"));
  }
  return file;
}

// ---------------------------------------------------------------- best

HistoryBest HistoryBest::FromRecords(const std::vector<Record>& records) {
  HistoryBest best;
  // Per workload, one merged record per config (in order of first
  // appearance) holding the samples of all its valid records.
  absl::flat_hash_map<std::string, absl::flat_hash_map<std::string, size_t>> slot[2];
  for (const Record& record : records) {
    if (!record.result.ok()) continue;
    const std::string key = record.WorkloadKey();
    std::vector<Record>& list = (record.in_model ? best.in_model_ : best.ranked_)[key];
    auto [it, added] = slot[record.in_model][key].try_emplace(record.config.Dump(), list.size());
    if (added) {
      list.push_back(record);
    } else {
      std::vector<double>& costs = list[it->second].result.costs;
      costs.insert(costs.end(), record.result.costs.begin(), record.result.costs.end());
    }
  }
  for (auto* ranking : {&best.ranked_, &best.in_model_}) {
    for (auto& [key, list] : *ranking) {
      std::stable_sort(list.begin(), list.end(), [](const Record& a, const Record& b) {
        return a.result.MedianCost() < b.result.MedianCost();
      });
    }
  }
  return best;
}

const std::vector<Record>* HistoryBest::Deciding(const tuning::TuningTask& task) const {
  const std::string key = task.WorkloadKey();
  if (auto it = in_model_.find(key); it != in_model_.end()) return &it->second;
  if (auto it = ranked_.find(key); it != ranked_.end()) return &it->second;
  return nullptr;
}

const Record* HistoryBest::FindConfig(const tuning::TuningTask& task,
                                      const tuning::Config& config, bool in_model) const {
  const auto& ranking = in_model ? in_model_ : ranked_;
  auto it = ranking.find(task.WorkloadKey());
  if (it == ranking.end()) return nullptr;
  for (const Record& record : it->second) {
    absl::StatusOr<tuning::Config> decoded = task.space.FromJson(record.config);
    if (decoded.ok() && decoded->index() == config.index()) return &record;
  }
  return nullptr;
}

std::vector<tuning::Config> HistoryBest::RankedConfigs(const tuning::TuningTask& task,
                                                       size_t limit) const {
  std::vector<tuning::Config> out;
  auto it = ranked_.find(task.WorkloadKey());
  if (it == ranked_.end()) return out;
  for (const Record& record : it->second) {
    if (out.size() >= limit) break;
    absl::StatusOr<tuning::Config> config = task.space.FromJson(record.config);
    if (config.ok()) out.push_back(*std::move(config));
  }
  return out;
}

const Record* HistoryBest::Find(const tuning::TuningTask& task) const {
  const std::vector<Record>* ranking = Deciding(task);
  return ranking == nullptr ? nullptr : &ranking->front();
}

absl::StatusOr<tuning::Config> HistoryBest::BestConfig(const tuning::TuningTask& task) const {
  const std::vector<Record>* ranking = Deciding(task);
  if (ranking == nullptr) {
    return absl::NotFoundError(absl::StrCat(
        "no valid record for ", task.name, " on '", task.target,
        "' with args ", task.args.Dump()));
  }
  for (const Record& record : *ranking) {
    absl::StatusOr<tuning::Config> config = task.space.FromJson(record.config);
    if (config.ok()) return config;
    VLOG(1) << "record for " << task.name
            << " does not fit the current space: " << config.status();
  }
  return absl::NotFoundError(absl::StrCat(
      "none of the ", ranking->size(), " valid records for ", task.name,
      " fits its current config space"));
}

absl::StatusOr<HistoryBest> ApplyHistoryBest(const std::string& path) {
  absl::StatusOr<RecordsFile> file = ReadRecords(path);
  if (!file.ok()) return file.status();
  return HistoryBest::FromRecords(file->records);
}

}  // namespace kiln::tuners
