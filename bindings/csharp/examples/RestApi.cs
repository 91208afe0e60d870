using System;
using System.Net.Http;
using System.Text;
using System.Threading.Tasks;
using MarketingCloud.Auth;

// One HttpClient for the program's life: McAuthHandler adds "Authorization: Bearer", and when the API rejects
// the token it invalidates exactly that token and sends the request once more with a new one.
public sealed class RestApi : IDisposable
{
    private readonly HttpClient _client;

    public RestApi(MarketingCloudAuth auth)
    {
        _client = new HttpClient(new McAuthHandler(auth)) { BaseAddress = new Uri(auth.RestBaseUrl) };
    }

    public async Task<string> PostJsonAsync(string path, string json)   // e.g. "data/v1/async/dataextensions/..."
    {
        var body = new StringContent(json, Encoding.UTF8, "application/json");
        using (HttpResponseMessage response = await _client.PostAsync(path, body).ConfigureAwait(false))
        {
            response.EnsureSuccessStatusCode();
            return await response.Content.ReadAsStringAsync().ConfigureAwait(false);
        }
    }

    public void Dispose()
    {
        _client.Dispose();
    }
}
