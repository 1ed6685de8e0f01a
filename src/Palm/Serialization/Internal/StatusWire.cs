using System.Runtime.Serialization;
using Akka.Cluster;
using Palm.Discovery;
using Palm.Messages.Internal;

namespace Palm.Serialization.Internal;

/// <summary>
/// The wire format of the status replies (<see cref="ServerReport"/>, <see cref="NodeReport"/>) for
/// <see cref="PalmControlSerializer"/>: sizes computed first, every count checked against the bytes that arrived.
/// </summary>
internal static class StatusWire
{
    public static byte[] Write(ServerReport s)
    {
        var w = new WireWriter(new byte[4 * 8 + 4 + 4 + 8 + WireWriter.SizeOf(s.Instance)]);
        w.Long(s.MessagesIn);
        w.Long(s.MessagesOut);
        w.Long(s.Errors);
        w.Long(s.UserTime.Ticks);
        w.Int(s.Workers);
        w.Int(s.InFlight);
        w.Long(s.UpTime.Ticks);
        w.String(s.Instance);
        return w.Buffer;
    }

    public static ServerReport ReadServer(ref WireReader r) =>
        new(r.Long(), r.Long(), r.Long(), TimeSpan.FromTicks(r.Long()), r.Int(), r.Int(), TimeSpan.FromTicks(r.Long()), r.RequiredString());

    public static byte[] Write(NodeReport n)
    {
        var size = WireWriter.SizeOf(n.Address) + 8 + 1 + 4;
        foreach (var m in n.Members)
        {
            size += WireWriter.SizeOf(m.Address) + 4 + 1 + 4;
            foreach (var role in m.Roles) size += WireWriter.SizeOf(role);
        }
        var w = new WireWriter(new byte[size]);
        w.String(n.Address);
        w.Long(n.UpTime.Ticks);
        w.Byte(n.Clustered ? (byte)1 : (byte)0);
        w.Int(n.Members.Length);
        foreach (var m in n.Members)
        {
            w.String(m.Address);
            w.Int((int)m.Status);
            w.Byte(m.Reachable ? (byte)1 : (byte)0);
            w.Int(m.Roles.Length);
            foreach (var role in m.Roles) w.String(role);
        }
        return w.Buffer;
    }

    public static NodeReport ReadNode(ref WireReader r)
    {
        var address = r.RequiredString();
        var upTime = TimeSpan.FromTicks(r.Long());
        var clustered = PalmControlSerializer.Flag(ref r);
        // Each member takes at least an address length, a status, a flag and a role count.
        var members = new MemberReport[r.Count(4 + 4 + 1 + 4)];
        for (var i = 0; i < members.Length; i++)
        {
            var member = r.RequiredString();
            var status = r.Int();
            if (!Enum.IsDefined(typeof(MemberStatus), status))
                throw new SerializationException($"Palm control message is corrupt: member status {status}.");
            var reachable = PalmControlSerializer.Flag(ref r);
            var roles = new string[r.Count(4)];
            for (var j = 0; j < roles.Length; j++) roles[j] = r.RequiredString();
            members[i] = new MemberReport(member, (MemberStatus)status, reachable, roles);
        }
        return new NodeReport(address, upTime, clustered, members);
    }
}
