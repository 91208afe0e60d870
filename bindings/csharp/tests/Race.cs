using System;
using System.Threading;

namespace MarketingCloud.Auth.Tests
{
    /// <summary>Runs a body on N threads released at the same instant, so they really race.</summary>
    internal static class Race
    {
        /// <summary>Returns each thread's result; rethrows the first failure after every thread finished.</summary>
        internal static string[] OnThreads(int threads, Func<int, string> body)
        {
            var results = new string[threads];
            var failures = new Exception[threads];
            var barrier = new Barrier(threads);
            var workers = new Thread[threads];
            for (int i = 0; i < threads; i++)
            {
                int index = i;
                workers[i] = new Thread(() =>
                {
                    try
                    {
                        barrier.SignalAndWait();
                        results[index] = body(index);
                    }
                    catch (Exception e)
                    {
                        failures[index] = e;
                    }
                });
                workers[i].Start();
            }

            foreach (Thread worker in workers)
            {
                worker.Join();
            }

            foreach (Exception failure in failures)
            {
                if (failure != null)
                {
                    throw new AggregateException(failure);
                }
            }

            return results;
        }
    }
}
