namespace Lamina.Gateway.Auth;

/// <summary>Looks up access keys by id (kept current from the cluster's Secrets).</summary>
internal interface IAccessKeyStore
{
    AccessKey? Find(string accessKeyId);
}
