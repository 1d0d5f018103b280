using System;
using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using System.Threading;
using System.Threading.Tasks;
using Pixbridge.Native;

namespace Pixbridge;

/// <summary>
/// Runs one native call under a control (the C ABI's cancellation token and progress callback)
/// on Pixbridge's own threads: the machinery behind every <c>...Async</c> method.
/// </summary>
/// <remarks>
/// <para>
/// <b>Where the work runs.</b> Native calls block their thread for as long as the work takes
/// (a 24 MP blur: about a second), so they never run on the caller's thread or on the .NET
/// thread pool. They run on a few dedicated background threads ("Pixbridge async N/M"), as many
/// as <see cref="Image.NativeWorkerThreads"/> when the first asynchronous call is made, fed by one
/// first-in first-out queue. Why this many: the native parallel work (blur, resize, JPEG
/// decoding) is done by the native worker pool, which every calling thread hands its parallel
/// part to and waits for, so more calling threads than native workers add no throughput, only
/// memory (each running call holds its images) and contention; and the sequential parts (PNG,
/// WebP, ... codecs, in-place operations) run on the calling thread, so as many calling threads
/// as native workers keep that many cores busy. 1000 concurrent <c>BlurAsync</c> calls therefore
/// wait in the queue (a small object each) instead of blocking 1000 thread-pool threads (which
/// starves everything else in the process: the pool adds threads slowly) or starting 1000
/// threads (<see cref="TaskCreationOptions.LongRunning"/>: 1000 stacks competing for the same
/// cores). A call cancelled while it waits in the queue is completed at once and never runs. The
/// cost of the bound: calls run first in, first out, so short calls queued behind long ones (a
/// huge blur, a save to slow storage) wait for them.
/// </para>
/// <para>
/// <b>Completion.</b> The returned task completes on the dedicated thread when the native call
/// has returned, with continuations forced asynchronous, so code after an <c>await</c> never runs
/// on (and never blocks) a Pixbridge thread. A task completes only after everything the call
/// used (the image reference, the control, the handle to the progress state) has been released,
/// so what a caller frees after the <c>await</c> (a pooled buffer, say) is no longer in use.
/// </para>
/// <para>
/// <b>Lifetimes.</b> The control is created before the call is queued and destroyed only after
/// the native call returned (or, for a call cancelled in the queue, instead of running it); the
/// <see cref="GCHandle"/> given to the native side as the progress callback's user data is freed
/// after that, so the native side can never call back into a freed handle. The callback itself is
/// one static delegate that lives as long as the process. A source image is held by a
/// <see cref="SafeHandle"/> reference from the call to <c>...Async</c> until the native call
/// returns, so <see cref="Image.Dispose"/> meanwhile only marks it: the native image is freed
/// when the last reference goes, never while the work reads it.
/// </para>
/// </remarks>
internal static class NativeWork
{
    /// <summary>
    /// The native work of one call, run on a Pixbridge thread: receives the source image's native
    /// handle (0 for calls without one) and the control to pass to the <c>_controlled</c> export,
    /// and throws <see cref="PixbridgeException"/> for a failed code (<see cref="NativeCalls.Check"/>,
    /// on the same thread: the error message is per thread).
    /// </summary>
    internal delegate T Call<T>(ulong image, ulong control);

    /// <summary>The one progress callback, alive for the whole process (its native thunk with it).</summary>
    private static readonly FnF32MutT ProgressCallback = OnProgress;

    /// <summary>Jobs waiting for a Pixbridge thread.</summary>
    private static readonly BlockingCollection<Job> Queue = new(new ConcurrentQueue<Job>());

    private static readonly Lazy<int> Threads = new(StartThreads, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The number of Pixbridge threads (started on first use).</summary>
    internal static int ThreadCount => Threads.Value;

    /// <summary>
    /// Runs <paramref name="call"/> on a Pixbridge thread under a new control. A token cancelled
    /// already gives a cancelled task and no native work at all.
    /// </summary>
    /// <param name="image">The source image, or null; a reference on it is held until the call returns.</param>
    /// <param name="progress">Told the fraction done; null for no progress callback at all.</param>
    /// <param name="cancellationToken">Cancels the call: in the queue at once, running through the control.</param>
    /// <param name="call">The native work.</param>
    /// <exception cref="ObjectDisposedException"><paramref name="image"/> has been disposed.</exception>
    /// <exception cref="DllNotFoundException">The native library could not be loaded.</exception>
    internal static Task<T> Run<T>(ImageHandle? image, IProgress<float>? progress, CancellationToken cancellationToken, Call<T> call)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<T>(cancellationToken);
        }
        NativeLibraryLoader.EnsureLoaded();
        _ = Threads.Value;
        if (image is not null)
        {
            var added = false;
            try
            {
                image.DangerousAddRef(ref added);
            }
            catch (ObjectDisposedException)
            {
                // Disposed by another thread since the caller checked.
                throw new ObjectDisposedException(nameof(Image));
            }
        }
        var job = new Job<T>(image, progress, cancellationToken, call);
        return job.Start();
    }

    private static int StartThreads()
    {
        var count = Math.Max(1, Image.NativeWorkerThreads);
        for (var i = 0; i < count; i++)
        {
            var thread = new Thread(Work)
            {
                IsBackground = true,
                Name = $"Pixbridge async {i + 1}/{count}",
            };
            // No ExecutionContext to flow: jobs carry everything they need.
            thread.UnsafeStart();
        }
        return count;
    }

    private static void Work()
    {
        foreach (var job in Queue.GetConsumingEnumerable())
        {
            job.Execute();
        }
    }

    /// <summary>Called by the native side with the fraction done and the job's <see cref="GCHandle"/>.</summary>
    private static void OnProgress(float fraction, IntPtr userData)
    {
        // Nothing may unwind into native code (that would end the process).
        try
        {
            if (GCHandle.FromIntPtr(userData).Target is Job job)
            {
                job.Report(fraction);
            }
        }
        catch (Exception)
        {
            // Report catches the progress handler's exceptions itself; this is only a guard.
        }
    }

    /// <summary>One queued call, whatever its result type.</summary>
    private abstract class Job
    {
        /// <summary>Waiting in the queue: the token's callback or a Pixbridge thread may claim it.</summary>
        protected const int Queued = 0;
        /// <summary>Claimed by a Pixbridge thread: the native call runs.</summary>
        protected const int Running = 1;
        /// <summary>Done; everything released.</summary>
        protected const int Finished = 2;

        protected int _state;
        protected ulong _control;
        private readonly IProgress<float>? _progress;
        /// <summary>The caller's context (its AsyncLocal values), in which the progress handler runs.</summary>
        private readonly ExecutionContext? _context;
        private Exception? _progressFailure;

        protected Job(IProgress<float>? progress)
        {
            _progress = progress;
            _context = progress is null ? null : ExecutionContext.Capture();
        }

        /// <summary>What the progress handler threw (the call was cancelled because of it), or null.</summary>
        protected Exception? ProgressFailure => Volatile.Read(ref _progressFailure);

        /// <summary>Runs the native call; called once by a Pixbridge thread, never throws.</summary>
        internal abstract void Execute();

        /// <summary>
        /// Gives a fraction to the caller's <see cref="IProgress{T}"/>, in the caller's execution
        /// context; its exception cancels the call.
        /// </summary>
        internal void Report(float fraction)
        {
            try
            {
                if (_context is null)
                {
                    _progress!.Report(fraction);
                }
                else
                {
                    ExecutionContext.Run(_context, static state =>
                    {
                        var (progress, value) = ((IProgress<float>, float))state!;
                        progress.Report(value);
                    }, (_progress!, fraction));
                }
            }
            catch (Exception e)
            {
                if (Interlocked.CompareExchange(ref _progressFailure, e, null) is null)
                {
                    Interop.pixbridge_control_cancel(_control);
                }
            }
        }
    }

    private sealed class Job<T> : Job
    {
        private readonly TaskCompletionSource<T> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly ImageHandle? _image;
        private readonly CancellationToken _cancellationToken;
        private readonly Call<T> _call;
        private readonly bool _reportsProgress;
        private GCHandle _self;
        private CancellationTokenRegistration _registration;

        internal Job(ImageHandle? image, IProgress<float>? progress, CancellationToken cancellationToken, Call<T> call)
            : base(progress)
        {
            _image = image;
            _cancellationToken = cancellationToken;
            _call = call;
            _reportsProgress = progress is not null;
        }

        /// <summary>Creates the control, registers the token and queues the job; owns the image reference from here on.</summary>
        internal Task<T> Start()
        {
            try
            {
                var userData = IntPtr.Zero;
                if (_reportsProgress)
                {
                    _self = GCHandle.Alloc(this);
                    userData = GCHandle.ToIntPtr(_self);
                }
                ulong control = 0;
                NativeCalls.Check(Interop.pixbridge_control_create(_reportsProgress ? ProgressCallback : null!, userData, ref control));
                _control = control;
                if (_cancellationToken.CanBeCanceled)
                {
                    // Runs OnCancelRequested at once if the token was cancelled since Run checked it.
                    _registration = _cancellationToken.UnsafeRegister(static job => ((Job<T>)job!).OnCancelRequested(), this);
                }
                Queue.Add(this);
            }
            catch (Exception e)
            {
                if (Interlocked.CompareExchange(ref _state, Finished, Queued) == Queued)
                {
                    _registration.Dispose();
                    Release();
                    _completion.TrySetException(e);
                }
            }
            return _completion.Task;
        }

        /// <summary>The token's callback: completes a queued job at once, or cancels the running call.</summary>
        private void OnCancelRequested()
        {
            if (Interlocked.CompareExchange(ref _state, Finished, Queued) == Queued)
            {
                // Never started: no native call will ever use the control or the image.
                Release();
                _completion.TrySetCanceled(_cancellationToken);
            }
            else
            {
                // Running: the control lives until the Pixbridge thread has disposed this
                // registration, which waits for this callback to return.
                Interop.pixbridge_control_cancel(_control);
            }
        }

        internal override void Execute()
        {
            if (Interlocked.CompareExchange(ref _state, Running, Queued) != Queued)
            {
                return; // cancelled while queued, completed already
            }
            T result = default!;
            Exception? failure = null;
            try
            {
                result = _call(_image?.Native ?? 0, _control);
            }
            catch (Exception e)
            {
                failure = e;
            }
            // After this no token callback runs (a running one is waited for), so the control can go.
            _registration.Dispose();
            Volatile.Write(ref _state, Finished);
            Release();
            Complete(result, failure);
        }

        private void Complete(T result, Exception? failure)
        {
            if (ProgressFailure is { } progressFailure)
            {
                // The progress handler threw: the call was cancelled for it (or had just finished).
                (result as IDisposable)?.Dispose();
                _completion.TrySetException(progressFailure);
            }
            else if (failure is null)
            {
                _completion.TrySetResult(result);
            }
            else if (failure is PixbridgeException { Code: ErrorCode.Cancelled })
            {
                _completion.TrySetCanceled(_cancellationToken);
            }
            else
            {
                _completion.TrySetException(failure);
            }
        }

        /// <summary>Destroys the control, then frees the progress handle and the image reference; once.</summary>
        private void Release()
        {
            if (_control != 0)
            {
                Interop.pixbridge_control_destroy(_control);
                _control = 0;
            }
            if (_self.IsAllocated)
            {
                _self.Free();
            }
            _image?.DangerousRelease();
        }
    }
}
