//! Entry point: no subcommand opens the window; subcommands run headless.

// Windows: no console window behind the app (release builds); see `attach_console`.
#![cfg_attr(all(windows, not(debug_assertions)), windows_subsystem = "windows")]

use std::process::ExitCode;

use clap::Parser;
use spotcheck::cli::{self, Cli};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let started = std::time::Instant::now();
    let args = Cli::parse();
    match &args.command {
        Some(command) => {
            attach_console();
            cli::run(&args, command)
        }
        None => open_window(&args, started),
    }
}

#[cfg(feature = "gui")]
fn open_window(args: &Cli, started: std::time::Instant) -> ExitCode {
    let compat =
        args.compat || std::env::var_os(COMPAT_ENV).is_some_and(|v| !v.is_empty() && v != "0");
    match spotcheck::ui::run(args.db_path(), started, compat) {
        Ok(()) => ExitCode::SUCCESS,
        // The GPU path could not start (no Vulkan or a broken driver): the window once more,
        // in a new process (a process opens its window system once), in compatibility mode.
        Err(e) if !compat && spotcheck::ui::renderer_failed(&e) => {
            eprintln!("提示：显卡加速无法启动，改用兼容模式打开窗口。");
            reopen_in_compat_mode()
        }
        Err(e) => {
            eprintln!("错误：无法打开窗口：{e}");
            if !compat {
                eprintln!("可以试试兼容模式：spotcheck --compat");
            }
            ExitCode::FAILURE
        }
    }
}

/// Set on the process reopened in compatibility mode (and honoured when set by hand; empty or
/// "0" is off).
#[cfg(feature = "gui")]
const COMPAT_ENV: &str = "SPOTCHECK_COMPAT";

/// Runs this program again, with the same arguments, in compatibility mode; its exit status.
#[cfg(feature = "gui")]
fn reopen_in_compat_mode() -> ExitCode {
    let status = std::env::current_exe().and_then(|exe| {
        std::process::Command::new(exe)
            .args(std::env::args_os().skip(1))
            .env(COMPAT_ENV, "1")
            .status()
    });
    match status {
        Ok(s) if s.success() => ExitCode::SUCCESS,
        Ok(_) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("错误：无法以兼容模式重新打开窗口：{e}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(not(feature = "gui"))]
fn open_window(_: &Cli, _: std::time::Instant) -> ExitCode {
    eprintln!("这个版本没有图形界面，请使用子命令（spotcheck --help 查看）。");
    ExitCode::FAILURE
}

/// A Windows app without a console prints nowhere: a subcommand run from a command prompt
/// writes to that prompt's console.
#[cfg(windows)]
#[allow(
    unsafe_code,
    reason = "a foreign call with no preconditions; the crate denies unsafe elsewhere"
)]
fn attach_console() {
    use windows_sys::Win32::System::Console::{ATTACH_PARENT_PROCESS, AttachConsole};
    // SAFETY: AttachConsole has no preconditions; failure (no parent console) is harmless.
    unsafe {
        AttachConsole(ATTACH_PARENT_PROCESS);
    }
}

#[cfg(not(windows))]
fn attach_console() {}
