namespace Pcrs.Hosting.Tests.Support;

public static class Eventually
{
    /// <summary>Polls <paramref name="condition"/> until it holds or <paramref name="timeout"/> passes; returns whether it held.</summary>
    public static async Task<bool> TrueAsync(Func<Task<bool>> condition, TimeSpan timeout, TimeSpan? every = null)
    {
        DateTime giveUp = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                if (await condition())
                {
                    return true;
                }
            }
            catch (Exception) when (DateTime.UtcNow < giveUp)
            {
                // Not ready yet (connection refused, table missing...): try again.
            }

            if (DateTime.UtcNow >= giveUp)
            {
                return false;
            }

            await Task.Delay(every ?? TimeSpan.FromMilliseconds(500));
        }
    }
}
