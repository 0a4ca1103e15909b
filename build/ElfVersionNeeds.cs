#nullable enable
// Compiled twice: by MSBuild's RoslynCodeTaskFactory (build/TorchSharpNative.targets) and by the
// test project, which links this file. Keep it dependency-free apart from MSBuild's task API.
using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace ActorSweep.Build
{
    /// <summary>One version an ELF shared object needs from one of its dependencies.</summary>
    public sealed class ElfVersionNeed
    {
        public ElfVersionNeed(string file, string version, ushort flags, long flagsOffset)
        {
            File = file; Version = version; Flags = flags; FlagsOffset = flagsOffset;
        }
        public string File { get; }
        public string Version { get; }
        public ushort Flags { get; }
        /// <summary>Byte offset of this entry's vna_flags field in the file.</summary>
        public long FlagsOffset { get; }
        public bool IsWeak => (Flags & ElfVersionNeeds.VerFlagWeak) != 0;
    }

    /// <summary>
    /// Reads the version-needs table (.gnu.version_r) of a 64-bit little-endian ELF file and marks
    /// single entries weak. TorchSharp 0.107's libLibTorchSharp.so needs GLIBCXX_3.4.32 (GCC 13)
    /// only for std::ios_base_library_init, which no relocation uses; with the entry weak, the
    /// dynamic loader accepts an older libstdc++ (Debian 12 ships 3.4.30).
    /// </summary>
    public static class ElfVersionNeeds
    {
        public const ushort VerFlagWeak = 0x2;
        const uint ShtGnuVerneed = 0x6ffffffe;

        public static List<ElfVersionNeed> Read(byte[] elf)
        {
            if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
                throw new InvalidDataException("not an ELF file");
            if (elf[4] != 2 || elf[5] != 1)
                throw new InvalidDataException("only 64-bit little-endian ELF files are supported");

            long shoff = (long)BitConverter.ToUInt64(elf, 0x28);
            int shentsize = BitConverter.ToUInt16(elf, 0x3A);
            int shnum = BitConverter.ToUInt16(elf, 0x3C);
            var needs = new List<ElfVersionNeed>();
            for (int i = 0; i < shnum; i++)
            {
                long sh = shoff + (long)i * shentsize;
                if (BitConverter.ToUInt32(elf, (int)sh + 4) != ShtGnuVerneed) continue;
                long offset = (long)BitConverter.ToUInt64(elf, (int)sh + 0x18);
                int link = (int)BitConverter.ToUInt32(elf, (int)sh + 0x28);
                int count = (int)BitConverter.ToUInt32(elf, (int)sh + 0x2C);
                long strtab = (long)BitConverter.ToUInt64(elf, (int)(shoff + (long)link * shentsize) + 0x18);

                long vn = offset;
                for (int n = 0; n < count; n++)
                {
                    int auxCount = BitConverter.ToUInt16(elf, (int)vn + 2);
                    string file = CString(elf, strtab + BitConverter.ToUInt32(elf, (int)vn + 4));
                    long aux = vn + BitConverter.ToUInt32(elf, (int)vn + 8);
                    for (int a = 0; a < auxCount; a++)
                    {
                        ushort flags = BitConverter.ToUInt16(elf, (int)aux + 4);
                        string name = CString(elf, strtab + BitConverter.ToUInt32(elf, (int)aux + 8));
                        needs.Add(new ElfVersionNeed(file, name, flags, aux + 4));
                        uint nextAux = BitConverter.ToUInt32(elf, (int)aux + 12);
                        if (nextAux == 0) break;
                        aux += nextAux;
                    }
                    uint next = BitConverter.ToUInt32(elf, (int)vn + 12);
                    if (next == 0) break;
                    vn += next;
                }
            }
            return needs;
        }

        /// <summary>
        /// Marks the need for <paramref name="version"/> weak in the file at <paramref name="path"/>.
        /// Writes a new file and renames it over the old one, so a hard link into the NuGet cache
        /// is broken rather than written through. Returns false when there was nothing to change.
        /// </summary>
        public static bool MarkWeak(string path, string version)
        {
            byte[] elf = System.IO.File.ReadAllBytes(path);
            bool changed = false;
            foreach (var need in Read(elf))
            {
                if (need.Version != version || need.IsWeak) continue;
                ushort flags = (ushort)(need.Flags | VerFlagWeak);
                elf[need.FlagsOffset] = (byte)(flags & 0xff);
                elf[need.FlagsOffset + 1] = (byte)(flags >> 8);
                changed = true;
            }
            if (!changed) return false;
            string temp = path + ".patching";
            System.IO.File.WriteAllBytes(temp, elf);
            System.IO.File.Delete(path); // unlink first: never write through a hard link
            System.IO.File.Move(temp, path);
            return true;
        }

        /// <summary>True when the library file's bytes name the version (its version definitions do).</summary>
        public static bool LibraryMentions(string libraryPath, string version)
        {
            byte[] bytes = System.IO.File.ReadAllBytes(libraryPath);
            byte[] needle = Encoding.ASCII.GetBytes(version + "\0");
            for (int i = 0; i + needle.Length <= bytes.Length; i++)
            {
                int j = 0;
                while (j < needle.Length && bytes[i + j] == needle[j]) j++;
                if (j == needle.Length) return true;
            }
            return false;
        }

        /// <summary>The system's libstdc++.so.6, or null where there is none (not Linux, musl).</summary>
        public static string? FindSystemLibStdCxx()
        {
            string[] candidates =
            {
                "/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "/lib/x86_64-linux-gnu/libstdc++.so.6",
                "/usr/lib/aarch64-linux-gnu/libstdc++.so.6", "/usr/lib64/libstdc++.so.6",
                "/lib64/libstdc++.so.6", "/usr/lib/libstdc++.so.6",
            };
            foreach (var c in candidates)
                if (System.IO.File.Exists(c)) return c;
            return null;
        }

        static string CString(byte[] bytes, long offset)
        {
            int end = (int)offset;
            while (end < bytes.Length && bytes[end] != 0) end++;
            return Encoding.ASCII.GetString(bytes, (int)offset, end - (int)offset);
        }
    }

    /// <summary>
    /// MSBuild task: marks <see cref="Version"/> weak in every given file, but only where the
    /// system libstdc++ lacks that version (Mode=auto), always (Mode=always) or never.
    /// </summary>
    public sealed class MarkElfVersionNeedWeak : Microsoft.Build.Utilities.Task
    {
        [Required] public ITaskItem[] Files { get; set; } = Array.Empty<ITaskItem>();
        [Required] public string Version { get; set; } = "";
        public string Mode { get; set; } = "auto";

        public override bool Execute()
        {
            if (Mode == "never") return true;
            if (Mode == "auto")
            {
                string? lib = ElfVersionNeeds.FindSystemLibStdCxx();
                if (lib == null)
                {
                    Log.LogMessage(MessageImportance.Low, "No system libstdc++.so.6 found; leaving native libraries as they are.");
                    return true;
                }
                if (ElfVersionNeeds.LibraryMentions(lib, Version))
                {
                    Log.LogMessage(MessageImportance.Low, $"{lib} provides {Version}; no patch needed.");
                    return true;
                }
            }
            foreach (var item in Files)
            {
                string path = item.ItemSpec;
                if (!System.IO.File.Exists(path)) continue;
                if (ElfVersionNeeds.MarkWeak(path, Version))
                    Log.LogMessage(MessageImportance.High, $"Marked {Version} weak in {path} (system libstdc++ lacks it).");
            }
            return !Log.HasLoggedErrors;
        }
    }
}
