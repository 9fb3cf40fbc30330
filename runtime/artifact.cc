#include "runtime/artifact.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <iterator>
#include <sstream>

#include "absl/strings/str_cat.h"

namespace kiln::runtime {
namespace {

constexpr char kFooterMagic[8] = {'K', 'I', 'L', 'N', 'A', 'R', 'T', 'F'};

struct Footer {
  char magic[8];
  uint32_t version;
  uint32_t reserved;
  uint64_t library_bytes;
  uint64_t plan_bytes;
  uint64_t checksum;
};
static_assert(sizeof(Footer) == 40, "the footer layout is part of the format");

absl::StatusOr<std::string> ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot open ", path));
  std::ostringstream buf;
  buf << in.rdbuf();
  if (in.bad()) return absl::DataLossError(absl::StrCat("error reading ", path));
  return std::move(buf).str();
}

}  // namespace

uint64_t ArtifactChecksum(absl::string_view bytes) {
  uint64_t h = 0xcbf29ce484222325ull;
  size_t i = 0;
  for (; i + 8 <= bytes.size(); i += 8) {
    uint64_t word;
    std::memcpy(&word, bytes.data() + i, 8);
    h = (h ^ word) * 0x100000001b3ull;
    h ^= h >> 29;
  }
  for (; i < bytes.size(); ++i) h = (h ^ static_cast<uint8_t>(bytes[i])) * 0x100000001b3ull;
  return h ^ bytes.size();
}

absl::Status AppendPlanToSharedObject(const std::string& path, const ExecutionPlan& plan) {
  auto library = ReadWholeFile(path);
  if (!library.ok()) return library.status();
  const std::string plan_bytes = SerializePlan(plan);
  std::string body = *std::move(library);
  // Zeros after the shared object put the parameters (the plan's last field)
  // at a 64-byte aligned file offset, so a loader can use them in place.
  const size_t parameters_at = plan_bytes.size() - plan.Constants().size();
  body.append((64 - (body.size() + parameters_at) % 64) % 64, '\0');
  const uint64_t library_bytes = body.size();
  body += plan_bytes;
  Footer footer;
  std::memcpy(footer.magic, kFooterMagic, 8);
  footer.version = kArtifactFormatVersion;
  footer.reserved = 0;
  footer.library_bytes = library_bytes;
  footer.plan_bytes = plan_bytes.size();
  footer.checksum = ArtifactChecksum(body);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(body.data(), body.size());
  out.write(reinterpret_cast<const char*>(&footer), sizeof(footer));
  out.close();
  if (!out) return absl::DataLossError(absl::StrCat("error writing the artifact ", path));
  return absl::OkStatus();
}

namespace {

// The whole file, mapped privately (copy-on-write) and unmapped when the
// last user lets go: the parameters are used where they lie, never copied.
//
// An artifact is native code, trusted as a shared library is: a file that
// is not a regular file (a FIFO, a device) or that every user may write
// (anyone could swap in their own code) is refused.
absl::StatusOr<std::shared_ptr<const absl::string_view>> MapFile(const std::string& path) {
  // O_NONBLOCK: opening a FIFO must not wait for a writer.
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return absl::NotFoundError(absl::StrCat("cannot open ", path));
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    close(fd);
    return absl::InvalidArgumentError(
        absl::StrCat(path, " is not a regular file; an artifact is the file `kiln compile` wrote"));
  }
  if (st.st_mode & S_IWOTH) {
    close(fd);
    return absl::PermissionDeniedError(absl::StrCat(
        path, " is writable by every user, so anyone could have replaced the native code it "
        "holds; an artifact is trusted like a shared library (`chmod o-w ", path, "`)"));
  }
  if (st.st_size <= 0) {
    close(fd);
    return absl::InvalidArgumentError(absl::StrCat(path, " is empty"));
  }
  const size_t size = static_cast<size_t>(st.st_size);
  void* data = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
  close(fd);
  if (data == MAP_FAILED) return absl::InternalError(absl::StrCat("cannot map ", path));
  auto* view = new absl::string_view(static_cast<const char*>(data), size);
  return std::shared_ptr<const absl::string_view>(view, [](const absl::string_view* v) {
    munmap(const_cast<char*>(v->data()), v->size());
    delete v;
  });
}

}  // namespace

absl::StatusOr<ArtifactContents> ReadArtifactContents(absl::string_view bytes,
                                                      std::shared_ptr<const void> owner) {
  if (bytes.size() < sizeof(Footer)) {
    return absl::InvalidArgumentError("the file is too short (truncated?)");
  }
  Footer footer;
  std::memcpy(&footer, bytes.data() + bytes.size() - sizeof(Footer), sizeof(Footer));
  if (std::memcmp(footer.magic, kFooterMagic, 8) != 0) {
    return absl::InvalidArgumentError(
        "no kiln footer at its end (truncated, or not made by `kiln compile`)");
  }
  if (footer.version != kArtifactFormatVersion) {
    return absl::InvalidArgumentError(
        absl::StrCat("format version ", footer.version, ", this runtime reads version ",
                     kArtifactFormatVersion, "; recompile the model"));
  }
  const uint64_t body_bytes = bytes.size() - sizeof(Footer);
  if (footer.library_bytes > body_bytes || footer.plan_bytes != body_bytes - footer.library_bytes) {
    return absl::InvalidArgumentError("the sizes in its footer do not match the file (truncated?)");
  }
  const absl::string_view body = bytes.substr(0, body_bytes);
  if (ArtifactChecksum(body) != footer.checksum) {
    return absl::InvalidArgumentError("checksum mismatch: the file was altered or damaged");
  }
  auto plan = ParsePlan(body.substr(footer.library_bytes), std::move(owner));
  if (!plan.ok()) return plan.status();
  return ArtifactContents{footer.version, *std::move(plan)};
}

absl::StatusOr<Artifact> LoadArtifact(const std::string& path) {
  auto mapped = MapFile(path);
  if (!mapped.ok()) return mapped.status();
  auto contents = ReadArtifactContents(**mapped, *mapped);
  if (!contents.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(path, " is not a usable kiln artifact: ",
                                                   contents.status().message()));
  }
  auto module = Module::Load(path);
  if (!module.ok()) return module.status();
  return Artifact{*std::move(module), std::move(contents->plan), contents->format_version};
}

absl::StatusOr<std::unique_ptr<GraphExecutor>> CreateExecutor(const Artifact& artifact) {
  const Module* module = artifact.module.get();
  // A copy of the plan: its parameters stay borrowed from the mapping, so
  // executors of one artifact share them and own only their buffers.
  return GraphExecutor::Create(artifact.plan,
                               [module](const std::string& name) -> absl::StatusOr<KernelFunction> {
                                 auto fn = module->GetFunction(name);
                                 if (!fn.ok()) return fn.status();
                                 return *fn;
                               });
}

}  // namespace kiln::runtime
